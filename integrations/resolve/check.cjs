// CommonJS consumers: every published package loads through `require`.
const core = require('@qadmin/core');
const client = require('@qadmin/client');
const memory = require('@qadmin/backend-memory');

if (typeof core.AdminService !== 'function') throw new Error('require @qadmin/core');
if (typeof client.createClient !== 'function') throw new Error('require @qadmin/client');
if (typeof memory.createMemoryBackend !== 'function')
  throw new Error('require @qadmin/backend-memory');
if (typeof require('@qadmin/backend-bullmq').createBullmqBackend !== 'function')
  throw new Error('require @qadmin/backend-bullmq');
if (typeof require('@qadmin/backend-collector').createCollectorBackend !== 'function')
  throw new Error('require @qadmin/backend-collector');
if (typeof require('@qadmin/reporter').createReporter !== 'function')
  throw new Error('require @qadmin/reporter');
if (typeof require('@qadmin/reporter/bee-queue').beeQueueCommands !== 'function')
  throw new Error('require @qadmin/reporter/bee-queue');
if (typeof require('@qadmin/reporter/graphile-worker').graphileWorkerCommands !== 'function')
  throw new Error('require @qadmin/reporter/graphile-worker');
for (const adapter of ['@qadmin/express', '@qadmin/fastify', '@qadmin/koa', '@qadmin/hono']) {
  if (typeof require(adapter).qadmin !== 'function') throw new Error(`require ${adapter}`);
}
require.resolve('@qadmin/testkit');
console.log('require: ok');
