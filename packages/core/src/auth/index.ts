export { Access, type AccessOptions, type AuthStatus } from './access';
export {
  type AuthProvider,
  type AuthRequest,
  DEFAULT_PERMISSIONS,
  type LoginResult,
  loginBodySchema,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  roleAtLeast,
} from './model';
export {
  hashPassword,
  type PasswordAuthOptions,
  type PasswordUser,
  passwordAuth,
  verifyPassword,
} from './password';
export { type ApiToken, type ProxyAuthOptions, proxyAuth, tokenAuth } from './token';
export { eventFilter, hideQueues, type QueueVisibility } from './visibility';
