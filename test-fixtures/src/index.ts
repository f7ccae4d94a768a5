/**
 * `@qadmin/test-fixtures`: payloads, data sets and seeders shared by the
 * tests and benchmarks of every qadmin package.
 */

export { CHROMIUM, type LaunchedBrowser, launchBrowser } from './browser';
export {
  type DetailedQueueSpec,
  emptyQueue,
  manyQueues,
  type NamedQueueSpec,
  type QueueSpec,
  SEED_STATES,
  type SeedState,
  scaleSpec,
  smallQueue,
  specTotal,
  standardQueue,
} from './datasets';
export {
  HUGE_STRING_MARKER,
  hostilePayloads,
  type PayloadCase,
  payloads,
  realisticPayloads,
} from './payloads';
export {
  type StartPostgresOptions,
  startPostgres,
  type ThrowawayPostgres,
} from './postgres';
export {
  type DashboardTarget,
  dashboardRound,
  type HostWatch,
  HUNG_AFTER_MS,
  isProblemAnswer,
  judgeOutage,
  PER_QUEUE_LABELS,
  type ProbeAnswer,
  probe,
  serveFaultDashboard,
  showAnswer,
  waitForJobs,
  waitUntilHealthy,
  watchHost,
} from './probe';
export {
  type StartRedisClusterOptions,
  type StartRedisOptions,
  startRedis,
  startRedisCluster,
  type ThrowawayRedis,
  type ThrowawayRedisCluster,
} from './redis';
export {
  type SeededJobs,
  type SeedMemoryOptions,
  seedMemoryQueue,
  seedMemoryQueues,
} from './seed-memory';
export { type SpawnedApp, spawnApp } from './spawn-app';
