// Type-checked with module/moduleResolution NodeNext: the published types resolve.
import { type BullmqBackendOptions, createBullmqBackend } from '@qadmin/backend-bullmq';
import { type CollectorOptions, createCollectorBackend } from '@qadmin/backend-collector';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { createClient } from '@qadmin/client';
import { AdminService, type Overview } from '@qadmin/core';
import { qadmin as expressQadmin } from '@qadmin/express';
import { qadmin as fastifyQadmin } from '@qadmin/fastify';
import { qadmin as honoQadmin } from '@qadmin/hono';
import { qadmin as koaQadmin } from '@qadmin/koa';
import { createReporter, type ReporterOptions } from '@qadmin/reporter';
import type { GraphileWorkerReportOptions } from '@qadmin/reporter/graphile-worker';
import type { BackendContractOptions } from '@qadmin/testkit';

const service = new AdminService({ backends: [createMemoryBackend()] });
const client = createClient({ baseUrl: 'http://127.0.0.1:1/' });
export const pending: Promise<Overview> = client.overview();
export type Options = BackendContractOptions;
export { service };
export const adapters = [expressQadmin, fastifyQadmin, koaQadmin, honoQadmin];
export const bullmqOptions: BullmqBackendOptions = {
  connection: 'redis://127.0.0.1:1',
  prefix: 'bull',
};
export const makeBullmq = createBullmqBackend;
export const collectorOptions: CollectorOptions = { file: ':memory:' };
export const makeCollector = createCollectorBackend;
export const reporterOptions: ReporterOptions = {
  url: 'http://127.0.0.1:1',
  token: 'x'.repeat(24),
};
export const makeReporter = createReporter;
// @qadmin/reporter/bee-queue is left out: bee-queue's own typings need @types/redis, which a
// bee-queue user in TypeScript installs (or skipLibCheck) whatever qadmin does.
export type ReporterIntegrationOptions = GraphileWorkerReportOptions;
