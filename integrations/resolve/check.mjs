// ESM consumers: every published package loads through `import`.
import * as bullmq from '@qadmin/backend-bullmq';
import * as collector from '@qadmin/backend-collector';
import * as memory from '@qadmin/backend-memory';
import * as client from '@qadmin/client';
import * as core from '@qadmin/core';
import * as expressAdapter from '@qadmin/express';
import * as fastifyAdapter from '@qadmin/fastify';
import * as honoAdapter from '@qadmin/hono';
import * as koaAdapter from '@qadmin/koa';
import * as reporter from '@qadmin/reporter';
import * as reporterBee from '@qadmin/reporter/bee-queue';
import * as reporterGraphile from '@qadmin/reporter/graphile-worker';

const checks = {
  '@qadmin/core': typeof core.AdminService === 'function' && typeof core.createAdmin === 'function',
  '@qadmin/client': typeof client.createClient === 'function',
  '@qadmin/backend-memory': typeof memory.createMemoryBackend === 'function',
  '@qadmin/backend-bullmq': typeof bullmq.createBullmqBackend === 'function',
  '@qadmin/backend-collector': typeof collector.createCollectorBackend === 'function',
  '@qadmin/reporter': typeof reporter.createReporter === 'function',
  '@qadmin/reporter/bee-queue': typeof reporterBee.reportBeeQueue === 'function',
  '@qadmin/reporter/graphile-worker': typeof reporterGraphile.reportGraphileWorker === 'function',
  '@qadmin/express': typeof expressAdapter.qadmin === 'function',
  '@qadmin/fastify': typeof fastifyAdapter.qadmin === 'function',
  '@qadmin/koa': typeof koaAdapter.qadmin === 'function',
  '@qadmin/hono': typeof honoAdapter.qadmin === 'function',
};
for (const [name, ok] of Object.entries(checks)) {
  if (!ok) throw new Error(`import ${name}: expected exports missing`);
}
// testkit imports vitest, which only loads inside a test run: resolve it only.
import.meta.resolve('@qadmin/testkit');
console.log('import: ok');
