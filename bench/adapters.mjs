// GET api/overview through each framework adapter against core's own
// node:http listener and a bare node:http server answering the same bytes (the
// ceiling of this machine), in one run. Each server runs alone in a child
// process (one core for it, one for the load generator); autocannon drives it
// with keep-alive connections for a fixed duration. Prints a table.
// Run: pnpm bench:adapters [queues...] (from the repository root).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import autocannon from 'autocannon';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const MOUNT = '/admin/queues';
const SERVERS = ['bare node:http', 'core node:http', 'express', 'fastify', 'koa', 'hono'];

/** Builds the server of one kind over `admin`; returns a node http.Server (not listening). */
async function build(kind, admin, bytes) {
  switch (kind) {
    case 'bare node:http':
      return createServer((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': bytes.length,
        });
        res.end(bytes);
      });
    case 'core node:http': {
      const { createNodeListener } = await import('@qadmin/core');
      return createServer(createNodeListener(admin, { basePath: MOUNT }));
    }
    case 'express': {
      const { default: express } = await import('express');
      const { qadmin } = await import('@qadmin/express');
      const app = express();
      app.use(MOUNT, qadmin(admin));
      return createServer(app);
    }
    case 'fastify': {
      const { default: Fastify } = await import('fastify');
      const { qadmin } = await import('@qadmin/fastify');
      const app = Fastify();
      await app.register(qadmin(admin), { prefix: MOUNT });
      await app.ready();
      return app.server;
    }
    case 'koa': {
      const { default: Koa } = await import('koa');
      const { qadmin } = await import('@qadmin/koa');
      const app = new Koa();
      app.use(qadmin(admin, { basePath: MOUNT }));
      return createServer(app.callback());
    }
    case 'hono': {
      const { Hono } = await import('hono');
      const { createAdaptorServer } = await import('@hono/node-server');
      const { qadmin } = await import('@qadmin/hono');
      const app = new Hono();
      app.route(MOUNT, qadmin(admin));
      return createAdaptorServer({ fetch: app.fetch });
    }
    default:
      throw new Error(`unknown server kind: ${kind}`);
  }
}

if (process.argv[2] === '--server') {
  const [kind, n] = [process.argv[3], Number(process.argv[4])];
  const { createMemoryBackend } = await import('@qadmin/backend-memory');
  const { createAdmin } = await import('@qadmin/core');
  const { manyQueues, seedMemoryQueues, standardQueue } = await import('@qadmin/test-fixtures');
  const backend = createMemoryBackend();
  await seedMemoryQueues(backend, manyQueues(n, { base: standardQueue }));
  // A refresh interval longer than a row: every request is served from the shared snapshot.
  const admin = createAdmin({ backends: [backend], refreshIntervalMs: 60_000 });
  const bytes = Buffer.from(JSON.stringify(await admin.service.overview()));
  const server = await build(kind, admin, bytes);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send({ port: server.address().port, bytes: bytes.length });
  process.on('message', () => process.exit(0));
} else {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const rows = [];
  for (const n of sizes.length ? sizes : [10, 100]) {
    const measured = [];
    for (const kind of SERVERS) {
      const child = fork(new URL(import.meta.url), ['--server', kind, String(n)]);
      const { port, bytes } = await once(child, 'message').then(([message]) => message);
      const url = `http://127.0.0.1:${port}${MOUNT}/api/overview`;
      await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
      const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
      child.send('stop');
      await once(child, 'exit');
      measured.push({ kind, bytes, result });
    }
    const rpsOf = (kind) => measured.find((m) => m.kind === kind).result.requests.average;
    for (const { kind, bytes, result } of measured) {
      const rps = result.requests.average;
      rows.push({
        queues: n,
        server: kind,
        'req/s': Math.round(rps),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'of bare': `${((rps / rpsOf('bare node:http')) * 100).toFixed(0)}%`,
        'overhead vs core': `${((rpsOf('core node:http') / rps - 1) * 100).toFixed(1)}%`,
        'answer KB': (bytes / 1024).toFixed(1),
        'non-2xx': result.non2xx + result.errors,
      });
    }
  }
  console.log(
    `node ${process.version}; ${CONNECTIONS} connections, ${DURATION_S} s per row after a 1 s warm-up; each server alone in a child process`,
  );
  console.table(rows);
}
