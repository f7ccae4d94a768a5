/**
 * `@qadmin/cli`: the `qadmin` command (see the README), and the pieces it is
 * made of for those who start the standalone dashboard from a script.
 */
export {
  configSchema,
  defineConfig,
  isLoopback,
  loadConfigFile,
  type PostgresSource,
  type QadminConfig,
  type RedisSource,
  redactUrl,
  resolveServeSettings,
  type ServeFlags,
  type ServeSettings,
} from './config';
export { CommandError, describeError, StartupError, UsageError } from './errors';
export { hashPasswordCommand, MIN_PASSWORD_LENGTH } from './hash-password';
export type { LogFormat } from './log';
export { type MainIo, main, VERSION } from './main';
export { type Output, type RunningServer, serve } from './serve';
export {
  type ConnectionChange,
  createSources,
  PROBE_TIMEOUT_MS,
  probeSource,
  type Source,
} from './sources';
