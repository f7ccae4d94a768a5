import { z } from 'zod';
import type { BulkActionType, JobActionType } from '../model';

/**
 * The roles, from least to most trusted: a `viewer` reads, an `operator` also
 * acts on single jobs, an `admin` also runs bulk and destructive actions and
 * writes schedules.
 *
 * @example
 * ```ts
 * for (const role of ROLES) console.log(role);
 * ```
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

/**
 * One of {@link ROLES}.
 *
 * @example
 * ```ts
 * const role: Role = 'operator';
 * ```
 */
export type Role = (typeof ROLES)[number];

/**
 * What a request may do, named after what it does: `read`, `job.<action>`
 * (`job.retry`, `job.remove`, ...), `job.add`, `queue.<bulk action>`
 * (`queue.clean`, `queue.obliterate`, ...), `schedules.write`, and `audit.read`
 * (the audit trail at `api/audit`).
 *
 * @example
 * ```ts
 * const permission: Permission = 'queue.clean';
 * ```
 */
export type Permission =
  | 'read'
  | `job.${JobActionType}`
  | 'job.add'
  | `queue.${BulkActionType}`
  | 'schedules.write'
  | 'audit.read';

/**
 * Who a request comes from, as an {@link AuthProvider} authenticated it.
 *
 * @example
 * ```ts
 * const principal: Principal = { id: 'ops-bot', name: 'ops-bot', role: 'operator', via: 'token' };
 * ```
 */
export interface Principal {
  /** Stable id (a user name, a token's name). */
  id: string;
  /** Shown in the UI and the audit trail. */
  name: string;
  role: Role;
  /** How it was authenticated: `password`, `token`, `proxy`, a custom provider's name, or `anonymous`. */
  via: string;
  /**
   * Whether its credentials ride along on every request by themselves (a
   * cookie, a proxy's session): such requests must prove they come from the
   * dashboard's own pages (CSRF). A bearer token does not.
   */
  ambient: boolean;
}

/**
 * The least role each permission needs by default: viewers read, operators
 * act on single jobs and add them, admins run bulk actions, write
 * schedules and read the audit trail. Override any of them with the `permissions` option.
 *
 * @example
 * ```ts
 * const role = DEFAULT_PERMISSIONS['job.retry']; // 'operator'
 * ```
 */
export const DEFAULT_PERMISSIONS: Readonly<Record<Permission, Role>> = {
  read: 'viewer',
  'job.retry': 'operator',
  'job.remove': 'operator',
  'job.promote': 'operator',
  'job.cancel': 'operator',
  'job.discard': 'operator',
  'job.complete': 'operator',
  'job.update-data': 'operator',
  'job.change-delay': 'operator',
  'job.change-priority': 'operator',
  'job.duplicate': 'operator',
  'job.add': 'operator',
  'queue.retry-all': 'admin',
  'queue.promote-all': 'admin',
  'queue.clean': 'admin',
  'queue.empty': 'admin',
  'queue.pause': 'admin',
  'queue.resume': 'admin',
  'queue.obliterate': 'admin',
  'schedules.write': 'admin',
  'audit.read': 'admin',
};

/**
 * True when `role` is at least `least` in {@link ROLES} order.
 *
 * @example
 * ```ts
 * roleAtLeast('admin', 'operator'); // true
 * ```
 */
export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/**
 * Turns the request of an adapter into a {@link Principal}. Return `null`
 * when the request carries none of this provider's credentials (the next
 * provider is asked); throw a `QadminError` (401) when it carries bad ones.
 * A provider may also contribute routes of its own (a login form).
 *
 * @example
 * ```ts
 * const fromHeader: AuthProvider = {
 *   name: 'header',
 *   async authenticate(request) {
 *     return request.headers['x-user'] === 'me'
 *       ? { id: 'me', name: 'me', role: 'admin', via: 'header', ambient: true }
 *       : null;
 *   },
 * };
 * ```
 */
export interface AuthProvider {
  /** Shown in logs and in `api/auth/me`. */
  readonly name: string;
  authenticate(request: AuthRequest): Promise<Principal | null> | Principal | null;
  /** Handles `POST api/auth/login` (a JSON body): the provider that logs in with a form. */
  login?(request: AuthRequest, body: unknown): Promise<LoginResult>;
  /** Handles `POST api/auth/logout`: what to send to forget the session. */
  logout?(request: AuthRequest): Promise<Record<string, string>> | Record<string, string>;
  /**
   * True while the provider waits for its first user (a first-run setup):
   * `api/auth/me` says so, and `POST api/auth/setup` goes to {@link AuthProvider.setup}.
   */
  setupPending?(): boolean;
  /**
   * Handles `POST api/auth/setup` (a JSON body, see {@link setupBodySchema})
   * while {@link AuthProvider.setupPending}: creates the first user and logs
   * them in.
   */
  setup?(request: AuthRequest, body: unknown): Promise<LoginResult>;
}

/**
 * What an {@link AuthProvider} sees of a request: headers (lower-case names),
 * the peer's address, and whether the connection the browser used was HTTPS
 * (from the adapter, or `X-Forwarded-Proto` of a trusted proxy).
 *
 * @example
 * ```ts
 * const cookie = request.headers.cookie;
 * ```
 */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  remoteAddress?: string | undefined;
  secure: boolean;
  /** Where the dashboard is mounted, for the cookie path. */
  basePath: string;
}

/**
 * The outcome of a login: the principal and the headers to send with the
 * answer (a `set-cookie`).
 *
 * @example
 * ```ts
 * const result: LoginResult = { principal, headers: { 'set-cookie': 'qadmin_session=...' } };
 * ```
 */
export interface LoginResult {
  principal: Principal;
  headers: Record<string, string>;
}

/**
 * Schema of the body of `POST api/auth/login`.
 *
 * @example
 * ```ts
 * const { username, password } = loginBodySchema.parse(body);
 * ```
 */
export const loginBodySchema = z
  .object({ username: z.string().min(1).max(256), password: z.string().min(1).max(1024) })
  .meta({ id: 'LoginInput' });

/**
 * The least length of a password chosen in the first-run setup, as
 * `qadmin-hash-password` asks of every password it hashes.
 *
 * @example
 * ```ts
 * if (password.length < MIN_PASSWORD_LENGTH) showError(`Use at least ${MIN_PASSWORD_LENGTH} characters`);
 * ```
 */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Schema of the body of `POST api/auth/setup`: the one-time setup code the
 * server printed at start-up, and the first admin's username and password
 * (at least {@link MIN_PASSWORD_LENGTH} characters).
 *
 * @example
 * ```ts
 * const { code, username, password } = setupBodySchema.parse(body);
 * ```
 */
export const setupBodySchema = z
  .object({
    code: z
      .string()
      .min(1)
      .max(256)
      .describe("The one-time setup code from the server's start-up output"),
    username: z
      .string()
      .min(1)
      .max(256)
      .regex(
        /^(?!\s)[^\p{Cc}]*(?<!\s)$/u,
        'must not start or end with white space, nor hold control characters',
      )
      .describe('Username of the first admin'),
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(1024)
      .describe(`At least ${MIN_PASSWORD_LENGTH} characters; only its scrypt hash is kept`),
  })
  .meta({ id: 'SetupInput' });
