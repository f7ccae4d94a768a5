export { Access, type AccessOptions, type AuthStatus } from './access';
export {
  type AuthProvider,
  type AuthRequest,
  DEFAULT_PERMISSIONS,
  type LoginResult,
  loginBodySchema,
  MIN_PASSWORD_LENGTH,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  roleAtLeast,
  setupBodySchema,
} from './model';
export {
  createSetupCode,
  hashPassword,
  type PasswordAuthOptions,
  type PasswordSetupOptions,
  type PasswordUser,
  passwordAuth,
  verifyPassword,
} from './password';
export { type ApiToken, type ProxyAuthOptions, proxyAuth, tokenAuth } from './token';
export { eventFilter, hideQueues, type QueueVisibility } from './visibility';
