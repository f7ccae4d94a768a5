export {
  createPgBossBackend,
  type PgBossBackend,
  type PgBossBackendOptions,
  type PgBossLike,
} from './backend';
export type { Layout } from './schema';
