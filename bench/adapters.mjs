// GET api/overview through each framework adapter against core's own
// node:http listener and a bare node:http server answering the same bytes (the
// ceiling of this machine), in one run. Each framework also answers the same
// bytes from a route of its own ("<framework> route"): its floor, so the table
// separates what the framework costs from what the adapter and core add.
// Each server runs alone in a child process (one core for it, one for the load
// generator); autocannon drives it with keep-alive connections for a fixed
// duration. Every server is measured BENCH_ROUNDS times, the rounds
// interleaved so that a noisy moment does not fall on one server; the table
// shows the median. Run: pnpm bench:adapters [queues...] (from the repository root).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import autocannon from 'autocannon';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const MOUNT = '/admin/queues';
const FRAMEWORKS = ['express', 'fastify', 'koa', 'hono'];
const SERVERS = [
  'bare node:http',
  'core node:http',
  ...FRAMEWORKS.flatMap((name) => [`${name} route`, name]),
];
const JSON_TYPE = 'application/json; charset=utf-8';

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
    case 'express route': {
      const { default: express } = await import('express');
      const app = express();
      app.get(`${MOUNT}/api/overview`, (_req, res) => {
        res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': bytes.length });
        res.end(bytes);
      });
      return createServer(app);
    }
    case 'fastify route': {
      const { default: Fastify } = await import('fastify');
      const app = Fastify();
      app.get(`${MOUNT}/api/overview`, (_req, reply) => reply.type(JSON_TYPE).send(bytes));
      await app.ready();
      return app.server;
    }
    case 'koa route': {
      const { default: Koa } = await import('koa');
      const app = new Koa();
      app.use((ctx) => {
        if (ctx.path !== `${MOUNT}/api/overview`) return;
        ctx.type = JSON_TYPE;
        ctx.body = bytes;
      });
      return createServer(app.callback());
    }
    case 'hono route': {
      const { Hono } = await import('hono');
      const { createAdaptorServer } = await import('@hono/node-server');
      const app = new Hono();
      app.get(`${MOUNT}/api/overview`, (c) => c.body(bytes, 200, { 'content-type': JSON_TYPE }));
      return createAdaptorServer({ fetch: app.fetch });
    }
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
  const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const n of sizes.length ? sizes : [10, 100]) {
    const runs = new Map(SERVERS.map((kind) => [kind, []]));
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of SERVERS) {
        const child = fork(new URL(import.meta.url), ['--server', kind, String(n)]);
        const [message] = await once(child, 'message');
        bytes = message.bytes;
        const url = `http://127.0.0.1:${message.port}${MOUNT}/api/overview`;
        await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
        runs
          .get(kind)
          .push(await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S }));
        child.send('stop');
        await once(child, 'exit');
      }
    }
    const rpsOf = (kind) => median(runs.get(kind).map((result) => result.requests.average));
    for (const kind of SERVERS) {
      const results = runs.get(kind);
      const rps = rpsOf(kind);
      const framework = FRAMEWORKS.find((name) => kind === name);
      rows.push({
        queues: n,
        server: kind,
        'req/s': Math.round(rps),
        'spread %': Math.round(
          ((Math.max(...results.map((r) => r.requests.average)) -
            Math.min(...results.map((r) => r.requests.average))) /
            rps) *
            100,
        ),
        'p50 ms': median(results.map((r) => r.latency.p50)),
        'p99 ms': median(results.map((r) => r.latency.p99)),
        'of bare': `${((rps / rpsOf('bare node:http')) * 100).toFixed(0)}%`,
        'vs core listener': kind.endsWith('route')
          ? ''
          : `${((rpsOf('core node:http') / rps - 1) * 100).toFixed(1)}%`,
        'vs own route': framework
          ? `${((rpsOf(`${framework} route`) / rps - 1) * 100).toFixed(1)}%`
          : '',
        'answer KB': (bytes / 1024).toFixed(1),
        'non-2xx': results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
      });
    }
  }
  console.log(
    `node ${process.version}; ${CONNECTIONS} connections; median of ${ROUNDS} interleaved rounds of ${DURATION_S} s per server (after a 1 s warm-up), each server alone in a child process`,
  );
  console.log(
    "'vs core listener': time per request over core's own node:http listener (the issue's target: under 15%); 'vs own route': over the framework answering the same bytes from its own route (what the adapter and core add to the framework)",
  );
  console.table(rows);
}
