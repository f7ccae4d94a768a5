// GET api/overview over HTTP (node:http listener, memory backend with 10, 100
// and 1,000 queues) against the ceiling: a bare node:http server answering the
// same bytes. Both servers run in a child process; this process is the load
// generator (10 keep-alive connections, a fixed duration per row). Prints a table.
// Run: pnpm bench:http (from the repository root).
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CONNECTIONS = 10;

if (process.argv[2] === '--server') {
  const { createServer } = http;
  const { createMemoryBackend } = await import('@qadmin/backend-memory');
  const { createAdmin, createNodeListener } = await import('@qadmin/core');
  const { manyQueues, seedMemoryQueues, standardQueue } = await import('@qadmin/test-fixtures');
  const n = Number(process.argv[3]);
  const backend = createMemoryBackend();
  await seedMemoryQueues(backend, manyQueues(n, { base: standardQueue }));
  const admin = createAdmin({ backends: [backend], refreshIntervalMs: 2000 });
  const qadmin = createServer(createNodeListener(admin));
  const bytes = Buffer.from(JSON.stringify(await admin.service.overview()));
  const bare = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': bytes.length,
    });
    res.end(bytes);
  });
  await new Promise((r) => qadmin.listen(0, '127.0.0.1', r));
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  process.send({ qadmin: qadmin.address().port, bare: bare.address().port, bytes: bytes.length });
  process.on('message', () => process.exit(0));
} else {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const rows = [];
  for (const n of sizes.length ? sizes : [10, 100, 1000]) {
    const child = fork(new URL(import.meta.url), ['--server', String(n)]);
    const ports = await new Promise((r) => child.once('message', r));
    for (const [target, port] of [
      ['bare node:http', ports.bare],
      ['qadmin', ports.qadmin],
    ]) {
      const result = await load(port, '/api/overview');
      rows.push({
        queues: n,
        server: target,
        'req/s': Math.round(result.rps),
        'p50 ms': result.p50.toFixed(2),
        'p99 ms': result.p99.toFixed(2),
        'answer KB': (ports.bytes / 1024).toFixed(1),
        errors: result.errors,
      });
    }
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
  console.log(
    `node ${process.version}; ${CONNECTIONS} connections, ${DURATION_MS} ms per row; servers in a child process`,
  );
  console.table(rows);
}

async function load(port, path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + DURATION_MS;
  const one = () =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(performance.now() - start);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rps: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99), errors };
}
