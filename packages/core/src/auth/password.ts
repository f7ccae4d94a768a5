import {
  createHash,
  createHmac,
  randomBytes,
  type ScryptOptions,
  scrypt as scryptCallback,
  timingSafeEqual,
} from 'node:crypto';
import { invalidInput, QadminError } from '../errors';
import {
  type AuthProvider,
  type AuthRequest,
  type LoginResult,
  loginBodySchema,
  type Principal,
  ROLES,
  type Role,
  setupBodySchema,
} from './model';

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );

/** scrypt's cost: 2^15 (about 50 ms and 32 MiB per hash on a server core). */
const COST = { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/**
 * Hashes a password with scrypt (node:crypto) and a random salt, in the form
 * {@link passwordAuth} reads: `scrypt$N$r$p$<salt>$<key>`. Only the hash is
 * stored; `qadmin-hash-password` prints one from the command line.
 *
 * @example
 * ```ts
 * const passwordHash = await hashPassword('correct horse battery staple');
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string' || password.length === 0) {
    throw new TypeError('hashPassword: the password must be a non-empty string');
  }
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `password` matches a hash {@link hashPassword} made, compared in
 * constant time. A malformed hash never matches.
 *
 * @example
 * ```ts
 * if (await verifyPassword(input, user.passwordHash)) { ... }
 * ```
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = HASH.exec(hash);
  if (!parts) return false;
  const [, n, r, p, salt, key] = parts;
  const expected = Buffer.from(key!, 'base64');
  const N = Number(n);
  const R = Number(r);
  const maxmem = Math.max(COST.maxmem, 256 * N * R);
  const actual = await scrypt(password, Buffer.from(salt!, 'base64'), expected.length, {
    N,
    r: R,
    p: Number(p),
    maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A user of {@link passwordAuth}.
 *
 * @example
 * ```ts
 * const user: PasswordUser = { username: 'ana', passwordHash: 'scrypt$32768$8$1$...', role: 'admin' };
 * ```
 */
export interface PasswordUser {
  username: string;
  /** From {@link hashPassword} (or `qadmin-hash-password`); never the password itself. */
  passwordHash: string;
  role: Role;
}

/**
 * The first-run setup of {@link passwordAuth}: while it has no user, one
 * admin may be created through `POST api/auth/setup` by whoever holds `code`.
 *
 * @example
 * ```ts
 * const setup: PasswordSetupOptions = {
 *   code: createSetupCode(),
 *   store: (user) => writeFile('admin.json', JSON.stringify(user), { mode: 0o600 }),
 * };
 * ```
 */
export interface PasswordSetupOptions {
  /**
   * The one-time code that authorises the setup: show it where only the
   * person who started the server sees it (its start-up output). At least 16
   * characters; {@link createSetupCode} makes one. Compared in constant time,
   * ignoring case, spaces and dashes (and reading O as 0, I and L as 1).
   */
  code: string;
  /**
   * Keeps the new admin (`role: 'admin'`, a scrypt hash, never the
   * password) where the next start finds it. Setup completes only once it
   * resolves; when it throws, the setup answers 500 and may be tried again.
   */
  store(user: PasswordUser): Promise<void> | void;
}

/**
 * Options of {@link passwordAuth}.
 *
 * @example
 * ```ts
 * const options: PasswordAuthOptions = { users, sessionSecret: process.env.QADMIN_SESSION_SECRET };
 * ```
 */
export interface PasswordAuthOptions {
  users: readonly PasswordUser[];
  /**
   * Signs the session cookies (at least 32 characters). Give every instance
   * of a dashboard the same one; by default a random one per process, so
   * sessions end with the process.
   */
  sessionSecret?: string;
  /** How long a session lasts. Default 7 days. */
  sessionTtlMs?: number;
  /** The cookie's name. Default `qadmin_session`. */
  cookieName?: string;
  /** Failed logins allowed per client address, and per username, in `lockoutWindowMs`. Default 10 and 5. */
  maxFailuresPerClient?: number;
  maxFailuresPerUser?: number;
  /** Default 15 minutes. */
  lockoutWindowMs?: number;
  /**
   * Offers a first-run setup while `users` is empty: see
   * {@link PasswordSetupOptions}. Until it completes nobody is logged in;
   * once any user exists, `POST api/auth/setup` answers 409.
   */
  setup?: PasswordSetupOptions;
}

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A setup code as it is compared: what a person may type differently does not count. */
function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * A random one-time code for {@link PasswordSetupOptions.code}: 20
 * characters of Crockford's base32 (100 bits) in groups of five, easy to
 * read out of a terminal and to type.
 *
 * @example
 * ```ts
 * const code = createSetupCode(); // 'K7Q2M-9XD4R-...'
 * console.log(`qadmin: setup code ${code}`);
 * ```
 */
export function createSetupCode(): string {
  // 256 is a multiple of 32: every character is equally likely.
  const chars = [...randomBytes(20)].map((byte) => CODE_ALPHABET[byte & 31]).join('');
  return chars.match(/.{5}/g)!.join('-');
}

/** Failures per key within a window: a fixed-size map, oldest keys dropped first. */
class FailureCounter {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Milliseconds until `key` may try again, or 0. */
  blockedFor(key: string, now: number): number {
    const recent = (this.#failures.get(key) ?? []).filter((at) => now - at < this.#windowMs);
    if (recent.length < this.#limit) return 0;
    return recent[0]! + this.#windowMs - now;
  }

  fail(key: string, now: number): void {
    const recent = (this.#failures.get(key) ?? []).filter((at) => now - at < this.#windowMs);
    recent.push(now);
    this.#failures.delete(key);
    this.#failures.set(key, recent);
    if (this.#failures.size > 10_000) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}

/** Reads one cookie from a `cookie` header. */
function readCookie(header: string | string[] | undefined, name: string): string | null {
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Password login: users with scrypt hashes, `POST api/auth/login` with
 * `{ username, password }`, a signed session cookie (HttpOnly,
 * SameSite=Lax, Secure over HTTPS, 7 days by default), `POST
 * api/auth/logout`. Failed logins are limited per client address and per
 * username (429 with `Retry-After`), and the answer never says whether a
 * username exists. A session ends when it expires, on logout of that
 * browser, or when the user's password hash or role changes.
 *
 * With `setup` and no users it waits for a first-run setup: `api/auth/me`
 * answers `setup: true`, nobody is logged in (so nothing can be read or
 * changed), and `POST api/auth/setup` with the one-time code creates one
 * admin, hands it to `setup.store` and logs them in. Wrong codes are limited
 * per client address like failed logins.
 *
 * @example
 * ```ts
 * const admin = createAdmin({
 *   backends,
 *   auth: passwordAuth({
 *     users: [{ username: 'ana', passwordHash: process.env.ANA_HASH!, role: 'admin' }],
 *     sessionSecret: process.env.QADMIN_SESSION_SECRET,
 *   }),
 * });
 *
 * // No users yet: the first admin is created in the browser with the printed code.
 * const code = createSetupCode();
 * const firstRun = passwordAuth({ users: [], setup: { code, store: saveAdmin } });
 * console.log(`setup code: ${code}`);
 * ```
 */
export function passwordAuth(options: PasswordAuthOptions): AuthProvider {
  const users = new Map<string, PasswordUser>();
  for (const user of options.users) {
    if (!ROLES.includes(user.role)) {
      throw new TypeError(`passwordAuth: user ${JSON.stringify(user.username)} has no valid role`);
    }
    if (!HASH.test(user.passwordHash)) {
      throw new TypeError(
        `passwordAuth: user ${JSON.stringify(user.username)}: passwordHash is not a hash from hashPassword (run qadmin-hash-password)`,
      );
    }
    users.set(user.username, user);
  }
  if (options.sessionSecret !== undefined && options.sessionSecret.length < 32) {
    throw new TypeError('passwordAuth: sessionSecret must be at least 32 characters');
  }
  const setup = options.setup;
  if (setup !== undefined) {
    if (typeof setup.code !== 'string' || normalizeCode(setup.code).length < 16) {
      throw new TypeError(
        'passwordAuth: setup.code must be at least 16 characters (createSetupCode makes one)',
      );
    }
    if (typeof setup.store !== 'function') {
      throw new TypeError('passwordAuth: setup.store must be a function that keeps the new admin');
    }
  }
  const setupCode = setup ? sha256(normalizeCode(setup.code)) : null;
  /** `running` while the first admin is hashed and stored: a concurrent setup gets 409. */
  let setupState: 'pending' | 'running' | 'closed' =
    setup !== undefined && users.size === 0 ? 'pending' : 'closed';
  const secret = options.sessionSecret ?? randomBytes(32).toString('base64');
  const ttlMs = options.sessionTtlMs ?? 7 * 86_400_000;
  const cookieName = options.cookieName ?? 'qadmin_session';
  const windowMs = options.lockoutWindowMs ?? 15 * 60_000;
  const perClient = new FailureCounter(options.maxFailuresPerClient ?? 10, windowMs);
  const perUser = new FailureCounter(options.maxFailuresPerUser ?? 5, windowMs);
  // Compared against when the username is unknown, so both cost one scrypt.
  const decoy = hashPassword(randomBytes(16).toString('hex'));

  const sign = (payload: string) =>
    createHmac('sha256', secret).update(payload).digest('base64url');
  /** Changes when the user's hash or role does: their sessions end with it. */
  const fingerprint = (user: PasswordUser) =>
    sign(`${user.passwordHash}|${user.role}`).slice(0, 16);
  const principalOf = (user: PasswordUser): Principal => ({
    id: user.username,
    name: user.username,
    role: user.role,
    via: 'password',
    ambient: true,
  });
  const cookie = (request: AuthRequest, value: string, maxAgeS: number) =>
    [
      `${cookieName}=${value}`,
      `Path=${request.basePath || '/'}`,
      `Max-Age=${maxAgeS}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(request.secure ? ['Secure'] : []),
    ].join('; ');
  const startSession = (request: AuthRequest, user: PasswordUser, now: number): LoginResult => {
    const payload = Buffer.from(
      JSON.stringify({ u: user.username, e: now + ttlMs, f: fingerprint(user) }),
    ).toString('base64url');
    return {
      principal: principalOf(user),
      headers: {
        'set-cookie': cookie(request, `${payload}.${sign(payload)}`, Math.floor(ttlMs / 1000)),
      },
    };
  };
  const tooMany = (waitMs: number, title: string, code: string) =>
    new QadminError(429, code, title, {
      detail: `Try again in ${Math.ceil(waitMs / 1000)} s`,
      extra: { retryAfterSeconds: Math.ceil(waitMs / 1000) },
    });
  const setupClosed = () =>
    new QadminError(409, 'setup-closed', 'No first-run setup', {
      detail:
        setupState === 'running'
          ? 'Another request is completing the first-run setup'
          : 'No first-run setup is pending here: log in instead',
    });

  return {
    name: 'password',

    authenticate(request) {
      const value = readCookie(request.headers.cookie, cookieName);
      if (!value) return null;
      const dot = value.lastIndexOf('.');
      const payload = dot > 0 ? value.slice(0, dot) : '';
      const mac = Buffer.from(value.slice(dot + 1));
      const expected = Buffer.from(sign(payload));
      // A cookie that is not ours (or tampered with) is no session: the request is anonymous.
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
      let session: { u?: unknown; e?: unknown; f?: unknown };
      try {
        session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      const user = typeof session.u === 'string' ? users.get(session.u) : undefined;
      if (!user || typeof session.e !== 'number' || session.e <= Date.now()) return null;
      if (session.f !== fingerprint(user)) return null;
      return principalOf(user);
    },

    async login(request, body): Promise<LoginResult> {
      const parsed = loginBodySchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw invalidInput(`body.${issue.path.join('.') || 'username'}`, issue.message);
      }
      const { username, password } = parsed.data;
      const now = Date.now();
      const client = request.remoteAddress ?? 'unknown';
      const waitMs = Math.max(perClient.blockedFor(client, now), perUser.blockedFor(username, now));
      if (waitMs > 0) throw tooMany(waitMs, 'Too many failed logins', 'too-many-logins');
      const user = users.get(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy));
      if (!user || !ok) {
        perClient.fail(client, now);
        perUser.fail(username, now);
        throw new QadminError(401, 'invalid-credentials', 'Wrong username or password');
      }
      perUser.clear(username);
      return startSession(request, user, now);
    },

    logout(request) {
      return { 'set-cookie': cookie(request, '', 0) };
    },

    ...(setup !== undefined && {
      setupPending: () => setupState !== 'closed',

      async setup(request: AuthRequest, body: unknown): Promise<LoginResult> {
        if (setupState !== 'pending') throw setupClosed();
        const parsed = setupBodySchema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw invalidInput(`body.${issue.path.join('.') || 'code'}`, issue.message);
        }
        const { code, username, password } = parsed.data;
        const now = Date.now();
        // Wrong codes count with failed logins: one budget per client for guessing anything.
        const client = request.remoteAddress ?? 'unknown';
        const waitMs = perClient.blockedFor(client, now);
        if (waitMs > 0) throw tooMany(waitMs, 'Too many failed attempts', 'too-many-attempts');
        if (!timingSafeEqual(sha256(normalizeCode(code)), setupCode!)) {
          perClient.fail(client, now);
          throw new QadminError(403, 'invalid-setup-code', 'Wrong setup code', {
            detail: "Copy the setup code from the server's start-up output",
          });
        }
        if (setupState !== 'pending') throw setupClosed();
        setupState = 'running';
        try {
          const user: PasswordUser = {
            username,
            passwordHash: await hashPassword(password),
            role: 'admin',
          };
          // Stored before it counts: an admin the next start would not know must not log in now.
          await setup.store({ ...user });
          users.set(username, user);
          setupState = 'closed';
          return startSession(request, user, Date.now());
        } catch (error) {
          setupState = 'pending';
          throw error;
        }
      },
    }),
  };
}
