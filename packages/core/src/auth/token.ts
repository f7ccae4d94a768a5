import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { QadminError } from '../errors';
import { type AuthProvider, type Principal, ROLES, type Role } from './model';

/**
 * A named bearer token of {@link tokenAuth}.
 *
 * @example
 * ```ts
 * const token: ApiToken = { name: 'deploy-bot', token: process.env.QADMIN_DEPLOY_TOKEN!, role: 'operator' };
 * ```
 */
export interface ApiToken {
  /** Shown in the audit trail and `api/auth/me`. */
  name: string;
  /** The secret itself, at least 24 characters. */
  token: string;
  role: Role;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer tokens for scripts and the API: `Authorization: Bearer <token>`.
 * Tokens are compared in constant time (their SHA-256 digests, every one of
 * them, whatever matched). A request with a bearer token that matches none is
 * refused with 401, not treated as anonymous.
 *
 * @example
 * ```ts
 * const admin = createAdmin({
 *   backends,
 *   auth: [passwordAuth({ users }), tokenAuth({ tokens: [{ name: 'ci', token: process.env.CI_TOKEN!, role: 'viewer' }] })],
 * });
 * ```
 */
export function tokenAuth(options: { tokens: readonly ApiToken[] }): AuthProvider {
  const known = options.tokens.map((entry) => {
    if (typeof entry.token !== 'string' || entry.token.length < 24) {
      throw new TypeError(
        `tokenAuth: token ${JSON.stringify(entry.name)} must be at least 24 characters`,
      );
    }
    if (!ROLES.includes(entry.role)) {
      throw new TypeError(`tokenAuth: token ${JSON.stringify(entry.name)} has no valid role`);
    }
    return { ...entry, digest: digest(entry.token) };
  });
  return {
    name: 'token',
    authenticate(request) {
      const header = request.headers.authorization;
      const value = Array.isArray(header) ? header[0] : header;
      const match = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
      if (!match) return null;
      const given = digest(match[1]!);
      let found: (typeof known)[number] | undefined;
      for (const entry of known) {
        if (timingSafeEqual(entry.digest, given) && !found) found = entry;
      }
      if (!found) {
        throw new QadminError(401, 'invalid-token', 'Invalid token', {
          detail: 'The bearer token matches none this dashboard knows',
        });
      }
      const principal: Principal = {
        id: found.name,
        name: found.name,
        role: found.role,
        via: 'token',
        ambient: false,
      };
      return principal;
    },
  };
}

/**
 * Options of {@link proxyAuth}.
 *
 * @example
 * ```ts
 * const options: ProxyAuthOptions = { trustedProxies: ['10.0.0.0/8'], userHeader: 'x-auth-request-user' };
 * ```
 */
export interface ProxyAuthOptions {
  /** Addresses (`10.0.0.5`, `::1`) or CIDR ranges (`10.0.0.0/8`) of the proxies whose headers count. */
  trustedProxies: readonly string[];
  /** Header with the user's name. Default `x-forwarded-user`. */
  userHeader?: string;
  /** Header with the user's role (`viewer`, `operator`, `admin`). Default `x-forwarded-role`. */
  roleHeader?: string;
  /** Role when the role header is absent. Default `viewer`. */
  defaultRole?: Role;
}

/**
 * A reverse proxy that authenticates users (oauth2-proxy, an SSO gateway)
 * and names them in headers. The headers count only on requests whose peer
 * address is one of `trustedProxies`; from anyone else they are ignored (so a
 * client cannot name itself), and the request is anonymous.
 *
 * @example
 * ```ts
 * const admin = createAdmin({ backends, auth: proxyAuth({ trustedProxies: ['127.0.0.1', '::1'] }) });
 * ```
 */
export function proxyAuth(options: ProxyAuthOptions): AuthProvider {
  const trusted = new BlockList();
  for (const entry of options.trustedProxies) {
    const [address, bits] = entry.split('/');
    const family = isIP(address ?? '');
    if (!family)
      throw new TypeError(`proxyAuth: ${JSON.stringify(entry)} is not an address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address!, type);
    else trusted.addSubnet(address!, Number(bits), type);
  }
  const userHeader = (options.userHeader ?? 'x-forwarded-user').toLowerCase();
  const roleHeader = (options.roleHeader ?? 'x-forwarded-role').toLowerCase();
  const defaultRole = options.defaultRole ?? 'viewer';
  const isTrusted = (address: string | undefined) => {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    name: 'proxy',
    authenticate(request) {
      if (!isTrusted(request.remoteAddress)) return null;
      const user = first(request.headers[userHeader])?.trim();
      if (!user) return null;
      const roleText = first(request.headers[roleHeader])?.trim().toLowerCase();
      const role = roleText
        ? (ROLES as readonly string[]).includes(roleText)
          ? (roleText as Role)
          : null
        : defaultRole;
      if (!role) {
        throw new QadminError(401, 'invalid-role', 'Unknown role', {
          detail: `${roleHeader} must be one of ${ROLES.join(', ')}`,
        });
      }
      return { id: user, name: user, role, via: 'proxy', ambient: true };
    },
  };
}
