import { QadminError } from '../errors';
import type { QadminRequest } from '../http/types';
import { parseQueueId } from '../service';
import {
  type AuthProvider,
  type AuthRequest,
  DEFAULT_PERMISSIONS,
  type LoginResult,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  roleAtLeast,
} from './model';
import type { QueueVisibility } from './visibility';

/**
 * Who may do what on a dashboard: the options of {@link createAdmin} that
 * {@link Access} enforces.
 *
 * @example
 * ```ts
 * const options: AccessOptions = { auth: tokenAuth({ tokens }), permissions: { 'job.remove': 'admin' } };
 * ```
 */
export interface AccessOptions {
  /**
   * How requests are authenticated; several providers are asked in turn.
   * Without any, the dashboard is read-only for everyone (see
   * `unsafeAnonymousWrites`).
   */
  auth?: AuthProvider | readonly AuthProvider[];
  /**
   * Lets anyone who reaches the dashboard change and delete jobs, without
   * logging in. For local development only; the dashboard says so at
   * start-up and in the UI.
   */
  unsafeAnonymousWrites?: boolean;
  /** The least role per permission, over {@link DEFAULT_PERMISSIONS}. */
  permissions?: Partial<Record<Permission, Role>>;
  /**
   * Who may frame the dashboard (CSP `frame-ancestors`). Default `'self'`;
   * add the origins of an admin that embeds it.
   */
  frameAncestors?: readonly string[];
  /** Where start-up warnings go. Default `console.warn`. */
  warn?: (message: string) => void;
  /**
   * Which queues a principal may see. A hidden queue is left out of the
   * overview, the workers, throughput, the audit trail, live events and the
   * Prometheus text, and its own routes answer 404 as for a queue that does
   * not exist. Default: every queue.
   */
  canSeeQueue?: (
    principal: Principal,
    queue: { id: string; backend: string; name: string },
  ) => boolean;
}

/**
 * What `GET api/auth/me` answers: who the request comes from, what it may
 * do, and how one logs in.
 *
 * @example
 * ```ts
 * const me: AuthStatus = await client.me();
 * if (!me.permissions.includes('job.retry')) hideRetryButtons();
 * ```
 */
export interface AuthStatus {
  principal: { id: string; name: string; role: Role; via: string } | null;
  permissions: Permission[];
  /** A provider takes `POST api/auth/login` (a password form). */
  login: boolean;
  /** Nobody logs in: everyone is anonymous. */
  anonymous: boolean;
  /** Why writing is off for everyone, when it is. */
  readOnlyReason: string | null;
  /**
   * A first-run setup is pending: no user exists yet, and the first admin is
   * created with `POST api/auth/setup` and the setup code from the server's
   * start-up output.
   */
  setup: boolean;
}

const PERMISSIONS = Object.keys(DEFAULT_PERMISSIONS) as Permission[];
const READ_ONLY_REASON =
  'No auth provider is configured, so the dashboard is read-only: set `auth` (password login, tokens, a proxy) to allow changes.';
const SETUP_REASON =
  "The dashboard has no admin yet, so nothing can be changed: finish the first-run setup (create the admin with the setup code from the server's start-up output), then log in.";

/**
 * The access rules of one dashboard: authentication through the configured
 * providers, the permission each role has, CSRF checks for requests that
 * carry ambient credentials, and the security headers of every answer. Used
 * by {@link createAdmin}; every adapter gets the same rules.
 *
 * @example
 * ```ts
 * const access = new Access({ auth: tokenAuth({ tokens }) });
 * const principal = await access.authenticate(request);
 * access.require(principal, 'job.retry');
 * ```
 */
export class Access {
  readonly providers: readonly AuthProvider[];
  readonly anonymousWrites: boolean;
  readonly #least: Record<Permission, Role>;
  readonly #headers: Record<string, string>;
  readonly #canSeeQueue: AccessOptions['canSeeQueue'];

  constructor(options: AccessOptions = {}) {
    this.providers =
      options.auth === undefined
        ? []
        : Array.isArray(options.auth)
          ? options.auth
          : [options.auth as AuthProvider];
    this.anonymousWrites = options.unsafeAnonymousWrites === true;
    this.#canSeeQueue = options.canSeeQueue;
    this.#least = { ...DEFAULT_PERMISSIONS };
    for (const [permission, role] of Object.entries(options.permissions ?? {})) {
      if (!(permission in DEFAULT_PERMISSIONS)) {
        throw new TypeError(`permissions: unknown permission ${JSON.stringify(permission)}`);
      }
      if (!ROLES.includes(role as Role)) {
        throw new TypeError(`permissions.${permission}: ${JSON.stringify(role)} is not a role`);
      }
      this.#least[permission as Permission] = role as Role;
    }
    const ancestors = options.frameAncestors ?? ["'self'"];
    for (const origin of ancestors) {
      if (/[;,\s]/.test(origin))
        throw new TypeError(`frameAncestors: ${JSON.stringify(origin)} is not one source`);
    }
    this.#headers = {
      'content-security-policy': [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        `frame-ancestors ${ancestors.length > 0 ? ancestors.join(' ') : "'none'"}`,
      ].join('; '),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'cross-origin-opener-policy': 'same-origin',
    };
    const warn = options.warn ?? ((message: string) => console.warn(message));
    if (this.anonymousWrites) {
      warn(
        'qadmin: unsafeAnonymousWrites is on: ANYONE who can reach this dashboard can change and delete jobs. Use it for local development only.',
      );
    } else if (this.providers.length === 0) {
      warn(`qadmin: ${READ_ONLY_REASON}`);
    }
  }

  /** The headers every answer of the dashboard carries (CSP, nosniff, referrer policy). */
  get securityHeaders(): Readonly<Record<string, string>> {
    return this.#headers;
  }

  /**
   * The principal of a request: the first provider's that knows it, or the
   * anonymous one when no provider is configured, or `null` (not logged in).
   * A provider's 401 (a bad token) ends the search.
   */
  async authenticate(request: QadminRequest): Promise<Principal | null> {
    if (this.providers.length === 0) {
      return {
        id: 'anonymous',
        name: 'anonymous',
        role: this.anonymousWrites ? 'admin' : 'viewer',
        via: 'anonymous',
        ambient: true,
      };
    }
    const auth = authRequest(request);
    for (const provider of this.providers) {
      const principal = await provider.authenticate(auth);
      if (principal) return principal;
    }
    return null;
  }

  /**
   * Which queues `principal` may see, or `null` when it sees every queue (no
   * `canSeeQueue` option): answers are then shared between principals.
   */
  queueFilter(principal: Principal | null): QueueVisibility | null {
    const canSee = this.#canSeeQueue;
    if (!canSee || principal === null) return null;
    const seen = new Map<string, boolean>();
    return (queueId) => {
      let visible = seen.get(queueId);
      if (visible === undefined) {
        const parsed = parseQueueId(queueId);
        visible = parsed !== null && canSee(principal, { id: queueId, ...parsed }) === true;
        seen.set(queueId, visible);
      }
      return visible;
    };
  }

  /** Whether `principal` has `permission`. */
  allows(principal: Principal | null, permission: Permission): boolean {
    return principal !== null && roleAtLeast(principal.role, this.#least[permission]);
  }

  /**
   * True while a provider waits for its first-run setup (see
   * `passwordAuth`'s `setup` option).
   */
  get setupPending(): boolean {
    return this.providers.some((provider) => provider.setupPending?.() === true);
  }

  /** Throws 401 without a principal, 403 naming the permission when its role lacks it. */
  require(principal: Principal | null, permission: Permission): void {
    if (principal === null) {
      throw new QadminError(401, 'unauthenticated', 'Login required', {
        detail: this.setupPending
          ? "Finish the first-run setup (the setup code is in the server's start-up output), then log in"
          : 'Log in, or send a bearer token',
      });
    }
    if (this.allows(principal, permission)) return;
    const least = this.#least[permission];
    const anonymousReadOnly = principal.via === 'anonymous' && !this.anonymousWrites;
    throw new QadminError(403, 'forbidden', 'Not allowed', {
      detail: anonymousReadOnly
        ? READ_ONLY_REASON
        : `${permission} needs the ${least} role; ${principal.name} is ${principal.role}`,
      extra: { permission, role: principal.role, requiredRole: least },
    });
  }

  /**
   * Refuses a state-changing request that could come from another site:
   * unless its credentials are not ambient (a bearer token), it must carry
   * the `x-qadmin-csrf` header (which a cross-site form cannot send, and a
   * cross-site script cannot without a CORS preflight the dashboard never
   * grants), and its `Sec-Fetch-Site` / `Origin` must be this site.
   */
  checkSameOrigin(request: QadminRequest, principal: Principal | null): void {
    if (principal && !principal.ambient) return;
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const refuse = (why: string) =>
      new QadminError(403, 'cross-site', 'Cross-site request refused', { detail: why });
    if (!header('x-qadmin-csrf')) {
      throw refuse('A request that changes something must carry the x-qadmin-csrf header');
    }
    const site = header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw refuse(`Sec-Fetch-Site is ${site}`);
    }
    const origin = header('origin');
    if (origin !== undefined && origin !== 'null') {
      let host: string;
      try {
        host = new URL(origin).host;
      } catch {
        throw refuse('Origin is not a URL');
      }
      const hosts = [header('host'), header('x-forwarded-host')?.split(',')[0]?.trim()];
      if (!hosts.includes(host)) throw refuse(`Origin ${origin} is not this site`);
    } else if (origin === 'null') {
      throw refuse('Origin is null');
    }
  }

  /** What `GET api/auth/me` answers for `principal`. */
  status(principal: Principal | null): AuthStatus {
    const setup = this.setupPending;
    // Only when no other provider (tokens, a proxy) can let anyone in meanwhile.
    const awaitingSetup =
      setup && this.providers.every((provider) => provider.setupPending?.() === true);
    return {
      principal: principal
        ? { id: principal.id, name: principal.name, role: principal.role, via: principal.via }
        : null,
      permissions: PERMISSIONS.filter((permission) => this.allows(principal, permission)),
      login: this.providers.some((provider) => typeof provider.login === 'function'),
      anonymous: this.providers.length === 0,
      readOnlyReason:
        this.providers.length === 0 && !this.anonymousWrites
          ? READ_ONLY_REASON
          : awaitingSetup
            ? SETUP_REASON
            : null,
      setup,
    };
  }

  /**
   * Completes the first-run setup through the provider that waits for it
   * (`POST api/auth/setup`): the new admin and their session cookie. 409
   * when none does: the dashboard has its users, or never offered a setup.
   */
  async setup(request: QadminRequest, body: unknown): Promise<LoginResult> {
    const provider = this.providers.find(
      (p) => p.setupPending?.() === true && typeof p.setup === 'function',
    );
    if (!provider?.setup) {
      throw new QadminError(409, 'setup-closed', 'No first-run setup', {
        detail: 'No first-run setup is pending here: log in instead',
      });
    }
    return provider.setup(authRequest(request), body);
  }

  /** Logs in through the provider that takes a login form; 404 when none does. */
  async login(request: QadminRequest, body: unknown): Promise<LoginResult> {
    const provider = this.providers.find((p) => typeof p.login === 'function');
    if (!provider?.login) {
      throw new QadminError(404, 'no-login', 'No login here', {
        detail: 'This dashboard has no password login',
      });
    }
    return provider.login(authRequest(request), body);
  }

  /** The headers that end the session of every provider that keeps one. */
  async logout(request: QadminRequest): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    for (const provider of this.providers) {
      if (provider.logout) Object.assign(headers, await provider.logout(authRequest(request)));
    }
    return headers;
  }
}

function authRequest(request: QadminRequest): AuthRequest {
  const proto = request.headers['x-forwarded-proto'];
  const forwarded = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim();
  return {
    headers: request.headers,
    remoteAddress: request.remoteAddress,
    secure: request.secure ?? forwarded === 'https',
    basePath: request.basePath,
  };
}
