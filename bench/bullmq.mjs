// qadmin against bull-board over BullMQ 6, both reading the same seeded Redis,
// in one run. One throwaway redis-server; for each size (10, 100, 500 queues by
// default) it seeds that many queues under a fresh prefix, each with 200
// completed, 50 failed, 100 waiting and 20 delayed jobs, then runs each
// dashboard alone in a child process (an Express 5 app) and drives the
// overview its UI polls with autocannon (BENCH_CONNECTIONS keep-alive
// connections, BENCH_DURATION_S after a 1 s warm-up):
// - bull-board: GET /ui/api/queues?page=1&jobsPerPage=10, what its UI fetches
//   every 5 s with no queue selected; all queues share one ioredis connection
//   (at the smallest size also a connection per queue).
// - qadmin: GET /admin/queues/api/overview with the default settings, so one
//   shared snapshot per refresh interval serves every request; a second table
//   gives what one refresh costs Redis and how long it takes.
// Redis commands are counted with INFO commandstats (commands run by Lua
// scripts included, INFO itself left out); CPU is the server process's
// user+system time divided by the requests sent, measured once the server has
// finished every request it took.
// Then 50 open dashboards at the largest size (qadmin: SSE streams; bull-board:
// tabs polling every 5 s) against one, in Redis commands per second; and pages
// of a queue holding 1,000,000 completed jobs (BENCH_BIG_QUEUE_JOBS), one
// request at a time.
// Run: pnpm bench:bullmq [queues...] (from the repository root).
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { answerParent, cpuMs, forkServer } from './lib/servers.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DASHBOARDS = 50;
const DASHBOARD_WINDOW_S = Number(process.env.BENCH_DASHBOARD_S ?? 12);
const BIG_QUEUE_JOBS = Number(process.env.BENCH_BIG_QUEUE_JOBS ?? 1_000_000);
// BENCH_SERVER_FLAGS: extra Node flags for the dashboard servers (see lib/servers.mjs).
// RSS is read at start, at its peak, after BENCH_IDLE_S (default 10) seconds of idling
// once the load ends (V8 shrinks its heap on its own), and after a forced GC.
const PAGE_REQUESTS = 200;
/** How long a server idles after its load before its RSS is read again (BENCH_IDLE_S). */
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
/** bull-board's UI refetches the queue list every `pollingInterval` seconds (default 5). */
const TAB_POLL_MS = 5000;
const MOUNT = '/admin/queues';
const BOARD = '/ui';
const OVERVIEW = {
  // What bull-board's UI requests with no queue selected: `activeQueue` and `status`
  // are undefined (axios leaves them out), `page` comes from the URL (default "1"),
  // `jobsPerPage` from the settings (default 10).
  'bull-board': `${BOARD}/api/queues?page=1&jobsPerPage=10`,
  'bull-board, connection per queue': `${BOARD}/api/queues?page=1&jobsPerPage=10`,
  qadmin: `${MOUNT}/api/overview`,
  // The floor: Express with one ioredis connection answering qadmin's overview bytes from
  // a route of its own, measured the same way. No dashboard can cost less than this.
  floor: `${MOUNT}/api/overview`,
};
const FLOOR = 'floor';
/** Where the parent leaves qadmin's overview bytes for the floor server. */
const floorBody = (prefix) => join(tmpdir(), `qadmin-bench-floor-${prefix}.json`);
const JOBS = { waiting: 100, delayed: 20, completed: 200, failed: 50 };
const JOBS_PER_QUEUE = JOBS.waiting + JOBS.delayed + JOBS.completed + JOBS.failed;

const benchStarted = performance.now();
/** A line on stderr while the run goes on; the tables go to stdout at the end. */
const progress = (text) =>
  process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(0)} s] ${text}\n`);

const queueNames = (n) =>
  Array.from({ length: n }, (_, i) => `q-${String(i + 1).padStart(4, '0')}`);

// ------------------------------------------------------------------- servers

/** Builds and starts the dashboard of one kind in this (child) process. */
async function serve(kind, prefix, n, redisUrl) {
  const { default: express } = await import('express');
  const { Redis } = await import('ioredis');
  const app = express();
  const handlers = {};
  if (kind.startsWith('bull-board')) {
    const { Queue } = await import('bullmq');
    const { createBullBoard } = await import('@bull-board/api');
    const { BullMQAdapter } = await import('@bull-board/api/bullMQAdapter');
    const { ExpressAdapter } = await import('@bull-board/express');
    const shared = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const perQueue = kind === 'bull-board, connection per queue';
    const queues = queueNames(n).map(
      (name) =>
        new Queue(name, {
          connection: perQueue ? new Redis(redisUrl, { maxRetriesPerRequest: null }) : shared,
          prefix,
        }),
    );
    await Promise.all(queues.map((queue) => queue.getVersion()));
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(BOARD);
    createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
    app.use(BOARD, serverAdapter.getRouter());
  } else if (kind === FLOOR) {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    await redis.ping();
    const bytes = await readFile(floorBody(prefix));
    app.get(`${MOUNT}/api/overview`, (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': bytes.length,
      });
      res.end(bytes);
    });
  } else {
    const { createAdmin } = await import('@qadmin/core');
    const { createBullmqBackend } = await import('@qadmin/backend-bullmq');
    const { qadmin } = await import('@qadmin/express');
    const backend = createBullmqBackend({ connection: redisUrl, prefix });
    const admin = createAdmin({ backends: [backend] });
    app.use(MOUNT, qadmin(admin));
    const names = async () => (await backend.listQueues()).map((queue) => queue.name);
    handlers.refresh = async ({ times }) => {
      // What one refresh costs when nothing is cached: every queue's counts and CLIENT LIST.
      await names();
      const refreshMs = [];
      let trips = 0;
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        trips += await roundTrips(backend.redis, () => admin.service.overview({ fresh: true }));
        refreshMs.push(performance.now() - started);
      }
      return {
        refreshIntervalMs: admin.service.refreshIntervalMs,
        ms: median(refreshMs),
        roundTrips: trips / times,
      };
    };
    handlers.getStats = async ({ times }) => {
      const queues = await names();
      const getStatsMs = [];
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        await backend.getStats(queues);
        getStatsMs.push(performance.now() - started);
      }
      return { ms: median(getStatsMs) };
    };
    handlers.discover = async () => {
      const started = performance.now();
      const found = await backend.discover();
      return { ms: performance.now() - started, queues: found.length };
    };
  }
  // V8's young generation (two semi-spaces), committed: what Node grows under a high
  // allocation rate and keeps until a GC finds the rate low again.
  const { getHeapSpaceStatistics } = await import('node:v8');
  handlers.youngGeneration = async () => ({
    bytes: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size,
  });
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  answerParent(server, handlers);
}

/**
 * Runs `work` and counts the round trips it made on `redis`: bursts of writes
 * to the socket, each ended by a reply arriving (commands written in the same
 * burst share one round trip).
 */
async function roundTrips(redis, work) {
  const socket = redis.stream;
  const write = socket.write;
  let trips = 0;
  let waiting = false;
  socket.write = function (...args) {
    if (!waiting) trips++;
    waiting = true;
    return write.apply(this, args);
  };
  const onData = () => {
    waiting = false;
  };
  socket.on('data', onData);
  try {
    await work();
  } finally {
    socket.write = write;
    socket.off('data', onData);
  }
  return trips;
}

/** A dashboard server in a child process (see lib/servers.mjs). */
const startServer = (kind, prefix, n, redisUrl) =>
  forkServer(new URL(import.meta.url), [kind, prefix, String(n), redisUrl]);

// --------------------------------------------------------------------- redis

/** Calls per command since the server started, from INFO commandstats, INFO left out. */
async function commandCalls(redis) {
  const text = await redis.info('commandstats');
  const calls = new Map();
  for (const [, name, count] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info') calls.set(name, Number(count));
  }
  return calls;
}

function callsBetween(before, after) {
  const byCommand = new Map();
  let total = 0;
  for (const [name, count] of after) {
    const delta = count - (before.get(name) ?? 0);
    if (delta > 0) byCommand.set(name, delta);
    total += delta;
  }
  return {
    total,
    of: (name) => byCommand.get(name) ?? 0,
    /** The most called commands, for a table cell. */
    top: (count) =>
      [...byCommand]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([name, calls]) => `${name} ${calls}`)
        .join(', '),
  };
}

/** Waits until Redis and the server are both idle: the requests taken have all been served. */
async function settle(redis, server) {
  let calls = await commandCalls(redis);
  let cpu = cpuMs((await server.ask('sample')).cpu);
  for (;;) {
    await sleep(300);
    const nextCalls = await commandCalls(redis);
    const nextCpu = cpuMs((await server.ask('sample')).cpu);
    if (callsBetween(calls, nextCalls).total === 0 && nextCpu - cpu < 10) return;
    calls = nextCalls;
    cpu = nextCpu;
  }
}

/**
 * Seeds `n` queues under `prefix`: waiting and delayed jobs through BullMQ's
 * addBulk, completed and failed ones written as BullMQ's scripts leave them
 * (job hash, the state's sorted set scored by finishedOn), pipelined.
 */
async function seedQueues(redis, Queue, prefix, n) {
  const now = Date.now();
  let template;
  const seedOne = async (name) => {
    const queue = new Queue(name, { connection: redis, prefix });
    const payload = (i) => ({ to: `user-${i}@example.com`, template: 'welcome', locale: 'en' });
    await queue.addBulk([
      ...Array.from({ length: JOBS.waiting }, (_, i) => ({ name: 'send-email', data: payload(i) })),
      ...Array.from({ length: JOBS.delayed }, (_, i) => ({
        name: 'send-email',
        data: payload(i),
        opts: { delay: 3_600_000 + i * 1000 },
      })),
    ]);
    // The opts BullMQ stores for a plain job, reused for the finished ones.
    template ??= await redis.hget(`${prefix}:${name}:1`, 'opts');
    const pipeline = redis.pipeline();
    const base = `${prefix}:${name}:`;
    let id = JOBS.waiting + JOBS.delayed;
    for (const state of ['completed', 'failed']) {
      for (let i = 0; i < JOBS[state]; i++) {
        id++;
        const finishedOn = now - (JOBS_PER_QUEUE - id) * 1000;
        pipeline.hset(base + id, {
          name: 'send-email',
          data: JSON.stringify(payload(id)),
          opts: template,
          timestamp: finishedOn - 250,
          delay: 0,
          priority: 0,
          processedOn: finishedOn - 200,
          finishedOn,
          ats: 1,
          atm: 1,
          ...(state === 'completed'
            ? { returnvalue: JSON.stringify({ delivered: true, messageId: `m-${id}` }) }
            : {
                failedReason: 'SMTP 550: mailbox unavailable',
                stacktrace: JSON.stringify([
                  'Error: SMTP 550: mailbox unavailable\n    at send (/app/mailer.js:42:11)\n    at process (/app/worker.js:17:5)',
                ]),
              }),
        });
        pipeline.zadd(base + state, finishedOn, String(id));
      }
    }
    pipeline.set(`${base}id`, id);
    await pipeline.exec();
    await queue.close();
  };
  const names = queueNames(n);
  await seedOne(names[0]);
  const rest = names.slice(1);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let name = rest.shift(); name; name = rest.shift()) await seedOne(name);
    }),
  );
}

/** One queue holding `count` completed jobs with small hashes, written in batches of 10,000. */
async function seedBigQueue(redis, Queue, prefix, name, count) {
  const queue = new Queue(name, { connection: redis, prefix });
  await queue.getVersion(); // BullMQ writes the meta hash
  await queue.close();
  const base = `${prefix}:${name}:`;
  const start = Date.now() - count * 10;
  const BATCH = 10_000;
  let written = 0;
  const writeBatch = async (from) => {
    const pipeline = redis.pipeline();
    const members = [];
    for (let id = from; id < Math.min(from + BATCH, count + 1); id++) {
      const finishedOn = start + id * 10;
      pipeline.hset(base + id, {
        name: 'resize',
        data: `{"image":${id}}`,
        opts: '{"attempts":1}',
        timestamp: finishedOn - 5,
        processedOn: finishedOn - 3,
        finishedOn,
        returnvalue: 'true',
        atm: 1,
      });
      members.push(finishedOn, String(id));
    }
    pipeline.zadd(`${base}completed`, ...members);
    await pipeline.exec();
    written += members.length / 2;
  };
  const starts = [];
  for (let from = 1; from <= count; from += BATCH) starts.push(from);
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let from = starts.shift(); from !== undefined; from = starts.shift()) {
        await writeBatch(from);
      }
    }),
  );
  await redis.set(`${base}id`, count);
  return written;
}

// ---------------------------------------------------------------------- load

function median(values) {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** GET with keep-alive through `agent`; resolves with the status, body size and time taken. */
function get(url, agent) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let bytes = 0;
        const chunks = [];
        res.on('data', (chunk) => {
          bytes += chunk.length;
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            bytes,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * Drives `url` with autocannon and measures what the server and Redis spent on
 * it: the load runs between two idle points, so every request sent is paid for
 * in full on both sides.
 */
async function measure(server, redis, url, load) {
  await settle(redis, server);
  const calls = await commandCalls(redis);
  const sample = await server.ask('sample');
  const result = await autocannon({ url, ...load });
  const loadEnded = performance.now();
  await settle(redis, server);
  const callsAfter = callsBetween(calls, await commandCalls(redis));
  const sampleAfter = await server.ask('sample');
  const sent = result.requests.sent;
  return {
    result,
    sent,
    perSecond: result.requests.total / result.duration,
    settleMs: performance.now() - loadEnded,
    commands: callsAfter.total,
    clientList: callsAfter.of('client|list'),
    commandsPerSecond: callsAfter.total / result.duration,
    cpuMsPerRequest: (cpuMs(sampleAfter.cpu) - cpuMs(sample.cpu)) / sent,
    rss: sampleAfter.rss,
    maxRss: sampleAfter.maxRss,
  };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const fixed = (value, digits = 1) => Number(value.toFixed(digits));

// ---------------------------------------------------------------------- main

async function overviewRows(redisUrl, redis, Queue, n, kinds) {
  const prefix = `bench-${n}-${Date.now().toString(36)}`;
  await redis.flushall();
  const seedStarted = performance.now();
  await seedQueues(redis, Queue, prefix, n);
  const seedS = (performance.now() - seedStarted) / 1000;
  progress(
    `seeded ${n} queues x ${JOBS_PER_QUEUE} jobs (${JOBS.completed} completed, ${JOBS.failed} failed, ${JOBS.waiting} waiting, ${JOBS.delayed} delayed) in ${seedS.toFixed(1)} s`,
  );
  const rows = [];
  let refresh;
  for (const kind of kinds) {
    const server = await startServer(kind, prefix, n, redisUrl);
    const url = server.origin + OVERVIEW[kind];
    const atStart = await server.ask('sample');
    const first = await get(url);
    if (first.status !== 200) throw new Error(`${kind}: ${url} answered ${first.status}`);
    if (kind === 'qadmin' || kind === FLOOR) {
      const queues = JSON.parse(first.body).queues;
      const counts = queues[0]?.counts ?? {};
      if (queues.length !== n || counts.completed !== JOBS.completed) {
        throw new Error(`${kind} sees ${queues.length} queues, ${JSON.stringify(counts)}`);
      }
      if (kind === 'qadmin') await writeFile(floorBody(prefix), first.body);
      else await rm(floorBody(prefix), { force: true });
    } else {
      const queues = JSON.parse(first.body).queues;
      if (queues.length !== n || queues[0].counts.completed !== JOBS.completed) {
        throw new Error(`bull-board sees ${queues.length} queues`);
      }
    }
    await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
    const run = await measure(server, redis, url, {
      connections: CONNECTIONS,
      duration: DURATION_S,
    });
    const { result } = run;
    // RSS once the server has idled (V8 shrinks its young generation on its own once the
    // allocation rate drops), then after a forced GC.
    await sleep(IDLE_S * 1000);
    const idle = await server.ask('sample');
    const youngIdle = await server.ask('youngGeneration');
    const retained = await server.ask('retained');
    const youngRetained = await server.ask('youngGeneration');
    rows.push({
      queues: n,
      system: kind,
      'req/s': fixed(run.perSecond, run.perSecond < 100 ? 1 : 0),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'Redis cmds/req': fixed(run.commands / run.sent, 1),
      'Redis cmds/s': Math.round(run.commandsPerSecond),
      'CPU ms/req': fixed(run.cpuMsPerRequest, 2),
      'response KB': fixed(first.bytes / 1024, 1),
      'RSS MB': Number(mb(run.rss)),
      'RSS MB start/peak/idle/GC': `${mb(atStart.rss)} / ${mb(run.maxRss)} / ${mb(idle.rss)} / ${mb(retained.rss)}`,
      'heap MB (GC)': Number(mb(retained.heapUsed)),
      'young gen MB idle/GC': `${mb(youngIdle.bytes)} / ${mb(youngRetained.bytes)}`,
      'qadmin/bull-board req/s': '',
      errors: result.errors + result.non2xx + result.timeouts,
    });
    if (kind === 'qadmin') {
      const times = 10;
      await settle(redis, server);
      const timed = async (type) => {
        const before = await commandCalls(redis);
        const reply = await server.ask(type, { times });
        return { reply, calls: callsBetween(before, await commandCalls(redis)) };
      };
      const refreshed = await timed('refresh');
      const stats = await timed('getStats');
      const discovered = await timed('discover');
      const perRefresh = refreshed.calls.total / times;
      refresh = {
        queues: n,
        'refresh interval ms': refreshed.reply.refreshIntervalMs,
        'refreshes in the run': run.clientList,
        'Redis cmds/refresh': fixed(perRefresh, 1),
        'cmds/queue': fixed(perRefresh / n, 2),
        // Script calls are in the count above, beside the commands they run.
        'script calls/refresh': fixed(
          (refreshed.calls.of('evalsha') + refreshed.calls.of('eval')) / times,
          1,
        ),
        'CLIENT LIST/refresh': fixed(refreshed.calls.of('client|list') / times, 1),
        'round trips/refresh': fixed(refreshed.reply.roundTrips, 1),
        'refresh ms (p50)': fixed(refreshed.reply.ms, 1),
        'getStats ms (p50)': fixed(stats.reply.ms, 1),
        'getStats cmds': fixed(stats.calls.total / times, 1),
        'discovery ms': fixed(discovered.reply.ms, 1),
        'discovery SCANs': discovered.calls.of('scan'),
      };
    }
    await server.stop();
    progress(`${kind} at ${n} queues: ${rows.at(-1)['req/s']} req/s`);
  }
  const board = rows.find((row) => row.system === 'bull-board');
  const ours = rows.find((row) => row.system === 'qadmin');
  if (board && ours) {
    ours['qadmin/bull-board req/s'] = `${fixed(ours['req/s'] / board['req/s'], 1)}x`;
  }
  return { rows, refresh, prefix };
}

/** Redis commands per second while `open` dashboards sit open for the window. */
async function windowRate(redis, seconds) {
  const before = await commandCalls(redis);
  const started = performance.now();
  await sleep(seconds * 1000);
  const calls = callsBetween(before, await commandCalls(redis));
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: calls.total / elapsed, calls };
}

async function qadminDashboards(redisUrl, redis, prefix, n) {
  const server = await startServer('qadmin', prefix, n, redisUrl);
  const streams = [];
  const open = () =>
    new Promise((resolve, reject) => {
      const stream = { events: 0 };
      stream.request = http.get(
        `${server.origin}${MOUNT}/api/events`,
        { agent: false, headers: { accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`events answered ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (text) => {
            stream.events += text.split('\nevent: ').length - 1;
          });
          res.on('error', () => {});
          resolve(stream);
        },
      );
      stream.request.on('error', () => {});
      streams.push(stream);
    });
  const rows = [];
  for (const count of [1, DASHBOARDS]) {
    while (streams.length < count) await open();
    await sleep(1000);
    const { perSecond, calls } = await windowRate(redis, DASHBOARD_WINDOW_S);
    const starved = streams.filter((stream) => stream.events === 0).length;
    if (starved > 0) throw new Error(`${starved} SSE streams received no overview`);
    const { rss } = await server.ask('sample');
    rows.push({
      queues: n,
      system: 'qadmin (SSE streams)',
      dashboards: count,
      'Redis cmds/s': Math.round(perSecond),
      'overview refreshes': calls.of('client|list'),
      'HTTP requests': count,
      'p50 ms': '',
      'server RSS MB': Number(mb(rss)),
      'most called': calls.top(6),
    });
  }
  for (const stream of streams) stream.request.destroy();
  await server.stop();
  progress(`qadmin with ${DASHBOARDS} SSE streams: ${rows.at(-1)['Redis cmds/s']} Redis cmds/s`);
  return rows;
}

async function boardDashboards(redisUrl, redis, prefix, n) {
  const server = await startServer('bull-board', prefix, n, redisUrl);
  const url = server.origin + OVERVIEW['bull-board'];
  const rows = [];
  for (const count of [1, DASHBOARDS]) {
    await settle(redis, server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: count });
    const latencies = [];
    const timers = [];
    let stopped = false;
    // Each tab fetches at once, then every 5 s, skipping a tick while its request is pending
    // (react-query's refetchInterval); tabs were opened at different moments.
    for (let tab = 0; tab < count; tab++) {
      let pending = false;
      const poll = async () => {
        if (pending || stopped) return;
        pending = true;
        try {
          const response = await get(url, agent);
          if (!stopped) latencies.push(response.ms);
        } catch (error) {
          // The window closed while this request was pending.
          if (!stopped) throw error;
        }
        pending = false;
      };
      const offset = (tab * TAB_POLL_MS) / count;
      timers.push(
        setTimeout(() => {
          void poll();
          timers.push(setInterval(poll, TAB_POLL_MS));
        }, offset),
      );
    }
    const { perSecond, calls } = await windowRate(redis, DASHBOARD_WINDOW_S);
    const { rss } = await server.ask('sample');
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    agent.destroy();
    rows.push({
      queues: n,
      system: 'bull-board (tabs polling 5 s)',
      dashboards: count,
      'Redis cmds/s': Math.round(perSecond),
      'overview refreshes': latencies.length,
      'HTTP requests': latencies.length,
      'p50 ms': latencies.length ? Math.round(median(latencies)) : '',
      'server RSS MB': Number(mb(rss)),
      'most called': calls.top(6),
    });
  }
  await server.stop();
  progress(`bull-board with ${DASHBOARDS} tabs: ${rows.at(-1)['Redis cmds/s']} Redis cmds/s`);
  return rows;
}

async function jobPages(redisUrl, redis, Queue) {
  await redis.flushall();
  const prefix = `bench-big-${Date.now().toString(36)}`;
  const name = 'big';
  const started = performance.now();
  const written = await seedBigQueue(redis, Queue, prefix, name, BIG_QUEUE_JOBS);
  progress(
    `seeded 1 queue with ${written.toLocaleString('en')} completed jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const server = await startServer('qadmin', prefix, 1, redisUrl);
  const jobs = `${server.origin}${MOUNT}/api/queues/${encodeURIComponent(`bullmq:${name}`)}/jobs?state=completed`;
  const deepOffset = Math.floor(written * 0.9);
  const deepLabel = deepOffset.toLocaleString('en');
  const deep = JSON.parse((await get(`${jobs}&limit=50&offset=${deepOffset}`)).body);
  if (deep.jobs.length !== 50 || !deep.nextCursor) {
    throw new Error(`offset page: ${deep.jobs.length} jobs, cursor ${deep.nextCursor}`);
  }
  const pages = [
    ['first page', 50, `${jobs}&limit=50`],
    [`offset ${deepLabel}`, 50, `${jobs}&limit=50&offset=${deepOffset}`],
    [
      `cursor after ${(deepOffset + 50).toLocaleString('en')}`,
      50,
      `${jobs}&limit=50&cursor=${encodeURIComponent(deep.nextCursor)}`,
    ],
    ['first page', 10, `${jobs}&limit=10`],
    ['first page', 100, `${jobs}&limit=100`],
    [`offset ${deepLabel}`, 100, `${jobs}&limit=100&offset=${deepOffset}`],
  ];
  const rows = [];
  for (const [page, limit, url] of pages) {
    const first = await get(url);
    const body = JSON.parse(first.body);
    if (first.status !== 200 || body.jobs.length !== limit) {
      throw new Error(`${url}: ${first.status}, ${body.jobs?.length} jobs`);
    }
    await autocannon({ url, connections: 1, amount: 20 }); // warm-up
    const run = await measure(server, redis, url, { connections: 1, amount: PAGE_REQUESTS });
    const { result } = run;
    rows.push({
      jobs: written.toLocaleString('en'),
      page,
      limit,
      // One connection: requests follow each other, so the rate is the inverse of the latency.
      'req/s': Math.round(1000 / result.latency.mean),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'Redis cmds/req': fixed(run.commands / run.sent, 1),
      'CPU ms/req': fixed(run.cpuMsPerRequest, 2),
      'response KB': fixed(first.bytes / 1024, 1),
      'RSS MB': Number(mb(run.rss)),
      errors: result.errors + result.non2xx + result.timeouts,
    });
    progress(`job page (${page}, limit ${limit}): p50 ${result.latency.p50} ms`);
  }
  await settle(redis, server);
  const before = await commandCalls(redis);
  const discovery = await server.ask('discover');
  const calls = callsBetween(before, await commandCalls(redis));
  await server.stop();
  return {
    rows,
    discovery: `qadmin queue discovery over ${(await redis.dbsize()).toLocaleString('en')} keys: ${fixed(discovery.ms, 0)} ms, ${calls.of('scan')} SCAN calls`,
  };
}

if (process.argv[2] === '--server') {
  const [kind, prefix, n, redisUrl] = process.argv.slice(3);
  await serve(kind, prefix, Number(n), redisUrl);
} else {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  const { startRedis } = await import('@qadmin/test-fixtures');
  const { Redis } = await import('ioredis');
  const { Queue } = await import('bullmq');
  const throwaway = await startRedis();
  const redis = new Redis(throwaway.url, { maxRetriesPerRequest: null });
  try {
    const info = await redis.info('server');
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1];
    const cpus = os.cpus();
    console.log(
      `node ${process.version}; ${cpus.length} x ${cpus[0]?.model}; Redis ${redisVersion}; ${CONNECTIONS} connections, ${DURATION_S} s per server after a 1 s warm-up; each server alone in a child process`,
    );
    const rows = [];
    const refreshes = [];
    let largest;
    const ordered = sizes.length ? sizes : [10, 100, 500];
    for (const n of ordered) {
      const kinds = ['bull-board', 'qadmin', FLOOR];
      // Cheap only for a few queues: each connection is one more line of every CLIENT LIST.
      if (n <= 10) kinds.splice(1, 0, 'bull-board, connection per queue');
      const {
        rows: sized,
        refresh,
        prefix,
      } = await overviewRows(throwaway.url, redis, Queue, n, kinds);
      rows.push(...sized);
      refreshes.push(refresh);
      largest = { n, prefix };
    }
    const dashboards = [
      ...(await qadminDashboards(throwaway.url, redis, largest.prefix, largest.n)),
      ...(await boardDashboards(throwaway.url, redis, largest.prefix, largest.n)),
    ];
    const pages = await jobPages(throwaway.url, redis, Queue);

    console.log(
      `\nOverview as each UI fetches it (bull-board: GET ${OVERVIEW['bull-board']}; qadmin: GET ${OVERVIEW.qadmin}). Redis cmds include those run inside Lua scripts; CPU and Redis cmds are per request sent.`,
    );
    console.table(rows);
    console.log(
      `\nqadmin: one refresh of the shared overview snapshot (default settings): every request within the refresh interval is served from it.`,
    );
    console.table(refreshes);
    console.log(
      `\n${DASHBOARDS} open dashboards vs 1 at ${largest.n} queues, no load generator, ${DASHBOARD_WINDOW_S} s each: Redis commands per second (qadmin's refresh interval: ${refreshes[0]?.['refresh interval ms']} ms; bull-board's UI polls every ${TAB_POLL_MS / 1000} s).`,
    );
    console.table(dashboards);
    console.log(
      `\nqadmin job pages of one queue with ${BIG_QUEUE_JOBS.toLocaleString('en')} completed jobs, one request at a time (${PAGE_REQUESTS} requests after 20 warm-up).`,
    );
    console.table(pages.rows);
    console.log(pages.discovery);
    console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    await redis.quit();
    await throwaway.stop();
  }
}
