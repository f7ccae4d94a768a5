// qadmin over pg-boss (@qadmin/backend-pg-boss), one run per pg-boss major
// (BENCH_PGBOSS_MAJORS, default "12,10"), each in a fresh database of one
// throwaway PostgreSQL. pg-boss itself installs its schema and creates the
// queues (BENCH_QUEUES, default 200, and `big`); the jobs are then inserted
// with SQL straight into pg-boss's own `job` table (its column defaults fill
// what the INSERT leaves out), because pg-boss's API would take minutes for a
// million rows: per queue 200 completed, 50 failed, 100 waiting and 20 delayed
// jobs created over the last 6 hours, and `big` with BENCH_BIG_QUEUE_JOBS
// (default 1,000,000) jobs, 98% completed, 1% failed, 1% waiting, created over
// 7 days. (pg-boss 10 partitions `job` by queue and routes the rows; in 12 the
// queues share its default partition, `job_common`.) VACUUM ANALYZE afterwards,
// as autovacuum does to a table that only received inserts (PostgreSQL 13+).
// Measured, for each major:
// - counts: backend.getStats(every queue) in this process, the first call
//   (every state counted) and 50 more (the backend keeps the counts that take a
//   scan, completed and cancelled jobs and on pg-boss 10 also active and failed
//   ones, for 50 times their cost once they cost >= 20 ms); SQL statements per call
//   are counted by wrapping the backend pool's query().
// - the overview over HTTP: createAdmin + createNodeListener on node:http in a
//   child process, GET /api/overview with autocannon (BENCH_CONNECTIONS,
//   default 10, for BENCH_DURATION_S, default 5, after a 1 s warm-up): req/s,
//   p50/p99, the server's CPU per request sent (read once it is idle again),
//   the answer's size, RSS after the load. Beside it the floor: a bare
//   node:http server in a child process answering the very same bytes.
// - job pages of `big`: cursors at depths 0 to 900,000 of the completed jobs
//   are collected by walking listJobs (limit 1000, newest first) in this
//   process, for at most BENCH_WALK_S (default 30) seconds; deeper cursors are
//   read with one SQL OFFSET each in the backend's cursor format, checked
//   against a walked one. Then GET /api/queues/pgboss:big/jobs?limit=50&cursor=
//   on the qadmin server, 30 requests one after another per depth (fewer when
//   they take over 8 s, the count then in the notes); also the
//   failed jobs' first and a deep page and the waiting jobs' first page.
// The metrics sampler is off (metrics: false): it is not part of these reads.
// BENCH_PGBOSS10_INDEX=1 gives pg-boss 10 the (name, created_on, id) index the
// backend's README suggests for big queues (pg-boss 10 has none on created_on).
// BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE, BUFFERS) of the scanned-states count query
// and of every page query whose p50 is over 20 ms to stderr.
// Run: pnpm bench:pgboss (from the repository root). The table goes to stdout,
// progress to stderr.
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { answerParent, cpuMs, forkServer } from './lib/servers.mjs';

const MAJORS = (process.env.BENCH_PGBOSS_MAJORS ?? '12,10')
  .split(',')
  .map((major) => Number(major.trim()))
  .filter(Boolean);
const QUEUES = Number(process.env.BENCH_QUEUES ?? 200);
const BIG_QUEUE_JOBS = Number(process.env.BENCH_BIG_QUEUE_JOBS ?? 1_000_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WALK_S = Number(process.env.BENCH_WALK_S ?? 30);
const PAGE_BUDGET_S = 8;
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
/** BENCH_PGBOSS10_INDEX=1: pg-boss 10 runs with the index the backend's README suggests. */
const V10_INDEX = process.env.BENCH_PGBOSS10_INDEX === '1';
const STATS_CALLS = 50;
const REFRESHES = 10;
const PAGE_REQUESTS = 30;
const PAGE_LIMIT = 50;
const WALK_LIMIT = 1000;
/** The issue's goal for a job page, first to deepest. */
const PAGE_GOAL_MS = 20;
const DEPTHS = [0, 1_000, 10_000, 100_000, 500_000, 900_000];
const SCHEMA = 'pgboss';
const BACKEND_ID = 'pgboss';
const BIG = 'big';
const JOBS = { completed: 200, failed: 50, waiting: 100, delayed: 20 };
const ERROR_OUTPUT = JSON.stringify({
  name: 'Error',
  message: 'boom',
  stack: 'Error: boom\n    at send (/app/mailer.js:42:11)\n    at work (/app/worker.js:17:5)',
});

const benchStarted = performance.now();
/** A line on stderr while the run goes on; the table goes to stdout at the end. */
const progress = (text) =>
  process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(0)} s] ${text}\n`);

const queueNames = (n) =>
  Array.from({ length: n }, (_, i) => `q-${String(i + 1).padStart(4, '0')}`);

/** How many jobs of each state `big` holds: every 100th failed, every 100th (offset 50) waiting. */
function bigCounts(total) {
  const failed = Math.floor(total / 100);
  const waiting = Math.floor((total + 50) / 100);
  return { completed: total - failed - waiting, failed, waiting };
}

/**
 * Counts (and, with `capture`, keeps) the SQL statements a backend sends, by
 * wrapping its pool's query(); the backend calls `pool.query` on every statement.
 */
function countQueries(backend, capture = false) {
  const pool = backend.pool;
  const query = pool.query.bind(pool);
  const log = { count: 0, statements: [] };
  pool.query = (text, values, ...rest) => {
    log.count++;
    if (capture && typeof text === 'string') {
      const started = performance.now();
      const entry = { text, values, ms: 0 };
      log.statements.push(entry);
      const running = query(text, values, ...rest);
      running.then(
        () => {
          entry.ms = performance.now() - started;
        },
        () => {},
      );
      return running;
    }
    return query(text, values, ...rest);
  };
  return log;
}

// ------------------------------------------------------------------- servers

/** Builds and starts one server in this (child) process: qadmin, or the floor. */
async function serve(kind, url, bodyFile) {
  const handlers = {};
  let server;
  if (kind === 'floor') {
    const bytes = await readFile(bodyFile);
    server = http.createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': bytes.length,
      });
      res.end(bytes);
    });
  } else {
    const { createAdmin, createNodeListener } = await import('@qadmin/core');
    const { createPgBossBackend } = await import('@qadmin/backend-pg-boss');
    const backend = createPgBossBackend({ connection: url, schema: SCHEMA, metrics: false });
    const queries = countQueries(backend);
    const admin = createAdmin({ backends: [backend] });
    server = http.createServer(createNodeListener(admin));
    handlers.queries = async () => ({ count: queries.count });
    handlers.refresh = async ({ times }) => {
      // What one refresh of the shared snapshot costs: listQueues + getStats.
      await admin.service.overview({ fresh: true });
      const ms = [];
      const before = queries.count;
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        await admin.service.overview({ fresh: true });
        ms.push(performance.now() - started);
      }
      return {
        refreshIntervalMs: admin.service.refreshIntervalMs,
        p50: quantile(ms, 0.5),
        p99: quantile(ms, 0.99),
        queries: (queries.count - before) / times,
      };
    };
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  answerParent(server, handlers);
}

/** A server of `kind` in a child process (see lib/servers.mjs). */
const startServer = (kind, url, bodyFile) =>
  forkServer(new URL(import.meta.url), [kind, url, bodyFile]);

/** Waits until the server is idle: every request it took has been served. */
async function settle(server) {
  let cpu = cpuMs((await server.ask('sample')).cpu);
  for (;;) {
    await sleep(300);
    const next = cpuMs((await server.ask('sample')).cpu);
    if (next - cpu < 10) return;
    cpu = next;
  }
}

/** autocannon against `url`, between two idle points of the server, so each request is paid in full. */
async function measure(server, url) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  await settle(server);
  const before = await server.ask('sample');
  const queriesBefore = server.kind === 'qadmin' ? (await server.ask('queries')).count : 0;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  await settle(server);
  const after = await server.ask('sample');
  const queriesAfter = server.kind === 'qadmin' ? (await server.ask('queries')).count : 0;
  const sent = result.requests.sent;
  return {
    result,
    perSecond: result.requests.total / result.duration,
    cpuMsPerRequest: (cpuMs(after.cpu) - cpuMs(before.cpu)) / sent,
    queries: queriesAfter - queriesBefore,
    rss: after.rss,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

// ---------------------------------------------------------------------- load

function quantile(values, q) {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** GET with keep-alive through `agent`; resolves with the status, body and time taken. */
function get(url, agent) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode,
            bytes: body.length,
            body,
            ms: performance.now() - started,
          });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const fixed = (value, digits = 1) => Number(value.toFixed(digits));
const thousands = (value) => value.toLocaleString('en');

// ------------------------------------------------------------------- seeding

/** pg-boss `major` installs its schema in `url` and creates the queues; then it stops. */
async function installPgBoss(major, url, names) {
  const PgBoss =
    major === 10
      ? (await import('pg-boss-v10')).default
      : major === 12
        ? (await import('pg-boss-v12')).PgBoss
        : null;
  if (!PgBoss) throw new Error(`pg-boss ${major}: only 10 and 12 are installed in bench/`);
  const boss = new PgBoss({
    connectionString: url,
    schema: SCHEMA,
    supervise: false,
    schedule: false,
    registerInstance: false,
    max: 4,
  });
  boss.on('error', (error) => progress(`pg-boss ${major}: ${error.message}`));
  await boss.start();
  // One at a time: pg-boss 10's create_queue() deadlocks with itself (each adds a partition).
  for (const name of names) await boss.createQueue(name);
  await boss.stop({ graceful: false, close: true });
}

/** Every small queue's jobs in one INSERT: each queue gets the same mix, created over 6 hours. */
async function seedQueues(db, names) {
  const completed = JOBS.completed;
  const failed = completed + JOBS.failed;
  const waiting = failed + JOBS.waiting;
  const total = waiting + JOBS.delayed;
  await db.query(
    `INSERT INTO ${SCHEMA}.job
       (name, data, state, start_after, started_on, completed_on, created_on, output, retry_count)
     SELECT q.name,
       jsonb_build_object('to', 'user-' || g || '@example.com', 'template', 'welcome', 'locale', 'en'),
       (CASE WHEN g <= ${completed} THEN 'completed' WHEN g <= ${failed} THEN 'failed'
         ELSE 'created' END)::${SCHEMA}.job_state,
       CASE WHEN g > ${waiting} THEN now() + interval '1 hour' + g * interval '1 second'
         ELSE c.created_on END,
       CASE WHEN g <= ${failed} THEN c.created_on + interval '1 second' END,
       CASE WHEN g <= ${failed} THEN c.created_on + interval '2 seconds' END,
       c.created_on,
       CASE WHEN g <= ${completed} THEN jsonb_build_object('delivered', true, 'messageId', 'm-' || g)
         WHEN g <= ${failed} THEN $2::jsonb END,
       CASE WHEN g > ${completed} AND g <= ${failed} THEN 2 ELSE 0 END
     FROM unnest($1::text[]) AS q(name)
     CROSS JOIN generate_series(1, ${total}) AS g
     CROSS JOIN LATERAL (SELECT now() - ((g * 7919 + length(q.name) * 13) % 21600)
       * interval '1 second' AS created_on) AS c`,
    [names, ERROR_OUTPUT],
  );
  return names.length * total;
}

/**
 * `count` jobs in `big`, oldest first (row order follows created_on, as jobs
 * arriving over time leave them), in chunks of 100,000 on two connections.
 */
async function seedBig(pool, count) {
  const CHUNK = 100_000;
  const starts = [];
  for (let from = 1; from <= count; from += CHUNK) starts.push(from);
  let written = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let from = starts.shift(); from !== undefined; from = starts.shift()) {
        const to = Math.min(count, from + CHUNK - 1);
        await pool.query(
          `INSERT INTO ${SCHEMA}.job
             (name, data, state, start_after, started_on, completed_on, created_on, output, retry_count)
           SELECT $1, jsonb_build_object('image', g, 'width', 640),
             (CASE WHEN g % 100 = 0 THEN 'failed' WHEN g % 100 = 50 THEN 'created'
               ELSE 'completed' END)::${SCHEMA}.job_state,
             c.created_on,
             CASE WHEN g % 100 <> 50 THEN c.created_on + interval '1 second' END,
             CASE WHEN g % 100 <> 50 THEN c.created_on + interval '3 seconds' END,
             c.created_on,
             CASE WHEN g % 100 = 0 THEN $5::jsonb WHEN g % 100 <> 50 THEN '{"resized":true}'::jsonb END,
             CASE WHEN g % 100 = 0 THEN 2 ELSE 0 END
           FROM generate_series($2::int, $3::int) AS g
           CROSS JOIN LATERAL (SELECT now() - interval '7 days' * (1 - g::float8 / $4)
             AS created_on) AS c`,
          [BIG, from, to, count, ERROR_OUTPUT],
        );
        written += to - from + 1;
        if (written % 500_000 === 0 || written === count) {
          progress(`  big: ${thousands(written)} of ${thousands(count)} jobs`);
        }
      }
    }),
  );
}

// ------------------------------------------------------------------- measures

/** getStats over every queue: the first call, then STATS_CALLS more. */
async function measureCounts(backend, names) {
  const log = countQueries(backend, true);
  // The counts that take a scan (completed and cancelled; on pg-boss 10 also active, failed and
  // the archive): `GROUP BY 1, 2`, kept by the backend while they cost >= 20 ms.
  const finishedSql = (entry) => /GROUP BY 1, 2/.test(entry.text);
  let before = log.statements.length;
  const coldStarted = performance.now();
  const cold = await backend.getStats(names);
  const coldMs = performance.now() - coldStarted;
  const coldStatements = log.statements.slice(before);
  const seen = cold['q-0001']?.counts;
  if (seen?.completed !== JOBS.completed || seen?.delayed !== JOBS.delayed) {
    throw new Error(`getStats counts ${JSON.stringify(seen)}`);
  }
  const bigSeen = cold[BIG]?.counts;
  const expected = bigCounts(BIG_QUEUE_JOBS);
  if (bigSeen?.completed !== expected.completed || bigSeen?.waiting !== expected.waiting) {
    throw new Error(`getStats counts ${JSON.stringify(bigSeen)} for ${BIG}`);
  }
  before = log.statements.length;
  const ms = [];
  for (let i = 0; i < STATS_CALLS; i++) {
    const started = performance.now();
    await backend.getStats(names);
    ms.push(performance.now() - started);
  }
  const steady = log.statements.slice(before);
  const live = steady.filter((entry) => !finishedSql(entry));
  return {
    coldMs,
    coldQueries: coldStatements.length,
    finishedMs: coldStatements.filter(finishedSql).reduce((sum, entry) => sum + entry.ms, 0),
    finishedStatement: coldStatements.find(finishedSql),
    liveStatement: steady.find((entry) => !finishedSql(entry)),
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    queriesPerCall: steady.length / STATS_CALLS,
    finishedCounted: steady.filter(finishedSql).length,
    liveMs: quantile(
      live.map((entry) => entry.ms),
      0.5,
    ),
    stop() {
      delete backend.pool.query;
    },
  };
}

/** The backend's cursor after a row (`k1.` + base64url of `[created_us, id]`), read back by it. */
const cursorOf = (createdUs, id) =>
  `k1.${Buffer.from(JSON.stringify([createdUs, id])).toString('base64url')}`;

/**
 * Cursors of `big`'s `state` jobs at each depth (the cursor after the
 * first `depth` jobs, newest first): walked with listJobs while WALK_S lasts,
 * read with an SQL OFFSET beyond (checked against the deepest walked one).
 */
async function collectCursors(backend, db, state, depths) {
  const cursors = new Map([[0, undefined]]);
  const wanted = depths.filter((depth) => depth > 0);
  const pageMs = [];
  let cursor;
  let walked = 0;
  const started = performance.now();
  while (walked < Math.max(0, ...wanted) && performance.now() - started < WALK_S * 1000) {
    const pageStarted = performance.now();
    const page = await backend.listJobs(BIG, { state, order: 'newest', limit: WALK_LIMIT, cursor });
    pageMs.push(performance.now() - pageStarted);
    if (!page.nextCursor) break;
    walked += page.jobs.length;
    cursor = page.nextCursor;
    if (wanted.includes(walked)) cursors.set(walked, cursor);
  }
  const walkS = (performance.now() - started) / 1000;
  const offsetCursor = async (depth) => {
    const predicate =
      state === 'waiting' ? `state < 'active' AND start_after <= now()` : `state = '${state}'`;
    const { rows } = await db.query(
      `SELECT (extract(epoch FROM created_on) * 1000000)::bigint::text AS us, id::text AS id
       FROM ${SCHEMA}.job WHERE name = $1 AND ${predicate}
       ORDER BY created_on DESC, id DESC OFFSET $2 LIMIT 1`,
      [BIG, depth - 1],
    );
    return cursorOf(rows[0].us, rows[0].id);
  };
  const deepestWalked = Math.max(0, ...cursors.keys());
  if (deepestWalked > 0 && wanted.some((depth) => !cursors.has(depth))) {
    const check = await offsetCursor(deepestWalked);
    if (check !== cursors.get(deepestWalked)) {
      throw new Error(`the SQL cursor at ${deepestWalked} differs from the walked one`);
    }
  }
  for (const depth of wanted) {
    if (!cursors.has(depth)) cursors.set(depth, await offsetCursor(depth));
  }
  return { cursors, pageMs, walked, walkS };
}

/** PAGE_REQUESTS requests of one page, one after another, after one that warms up. */
async function timePage(origin, state, cursor) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url =
    `${origin}/api/queues/${encodeURIComponent(`${BACKEND_ID}:${BIG}`)}/jobs?state=${state}` +
    `&limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const first = await get(url, agent);
  const body = JSON.parse(first.body);
  if (first.status !== 200 || body.jobs?.length !== PAGE_LIMIT) {
    agent.destroy();
    return { error: `${first.status} ${body.title ?? ''} ${body.detail ?? ''}`.trim(), url };
  }
  const ms = [];
  let failures = 0;
  const started = performance.now();
  for (let i = 0; i < PAGE_REQUESTS; i++) {
    // A slow page is timed fewer times, so the run stays within minutes.
    if (i >= 5 && performance.now() - started > PAGE_BUDGET_S * 1000) break;
    const response = await get(url, agent);
    if (response.status !== 200) failures++;
    ms.push(response.ms);
  }
  agent.destroy();
  return {
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    requests: ms.length,
    bytes: first.bytes,
    failures,
  };
}

async function explain(db, statement, title) {
  const { rows } = await db.query(
    `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
    statement.values ?? [],
  );
  process.stderr.write(
    `\n--- EXPLAIN (ANALYZE, BUFFERS): ${title}\n${statement.text.replace(/\s+/g, ' ')}\n` +
      `params: ${JSON.stringify(statement.values ?? [])}\n` +
      `${rows.map((row) => row['QUERY PLAN']).join('\n')}\n`,
  );
}

// ---------------------------------------------------------------------- main

async function runMajor(pgServer, major, pg, createPgBossBackend) {
  const label = `pg-boss ${major}`;
  const rows = [];
  const row = (measure, values) => rows.push({ 'pg-boss': major, measure, ...values });
  const url = await pgServer.createDatabase(`bench_pgboss_v${major}`);
  const names = [...queueNames(QUEUES), BIG];
  let started = performance.now();
  await installPgBoss(major, url, names);
  progress(
    `${label}: schema installed, ${names.length} queues created in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // pg's Pool.end() resolves before its connections have closed, and the backend's close()
  // then drops its own 'error' listener: stopping PostgreSQL right after would crash this process.
  const db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => {});
  const backend = createPgBossBackend({ connection: url, schema: SCHEMA, metrics: false });
  backend.pool.on('error', () => {});
  let server;
  let floor;
  const bodyFile = join(tmpdir(), `qadmin-bench-pgboss-${process.pid}-${major}.json`);
  try {
    started = performance.now();
    const small = await seedQueues(db, queueNames(QUEUES));
    await seedBig(db, BIG_QUEUE_JOBS);
    const seedS = (performance.now() - started) / 1000;
    started = performance.now();
    if (major === 10 && V10_INDEX) {
      // What the backend's README suggests to pg-boss 10 users with big queues: an index on
      // the parent reaches every partition, and those pg-boss attaches later.
      await db.query(`CREATE INDEX qadmin_job_created ON ${SCHEMA}.job (name, created_on, id)`);
    }
    await db.query(`VACUUM (ANALYZE) ${SCHEMA}.job`);
    const {
      rows: [{ size }],
    } = await db.query(
      `SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [SCHEMA],
    );
    progress(
      `${label}: seeded ${thousands(small)} jobs in ${QUEUES} queues and ${thousands(BIG_QUEUE_JOBS)} in ${BIG} in ${seedS.toFixed(1)} s, VACUUM ANALYZE ${((performance.now() - started) / 1000).toFixed(1)} s, schema ${size} on disk`,
    );

    // Counts in this process.
    const queues = (await backend.listQueues()).map((queue) => queue.name);
    if (queues.length !== names.length) {
      throw new Error(`listQueues found ${queues.length} queues, not ${names.length}`);
    }
    const counts = await measureCounts(backend, queues);
    counts.stop();
    const finishedNote = `scanned states: ${fixed(counts.finishedMs)} ms (${major === 10 ? 'job + archive' : 'one GROUP BY over job'})`;
    row(`getStats(${queues.length} queues), first call`, {
      'p50 ms': fixed(counts.coldMs),
      'SQL/call': counts.coldQueries,
      notes: finishedNote,
    });
    row(`getStats(${queues.length} queues), next ${STATS_CALLS} calls`, {
      'p50 ms': fixed(counts.p50),
      'p99 ms': fixed(counts.p99),
      'SQL/call': fixed(counts.queriesPerCall, 2),
      notes: `scanned states counted again in ${counts.finishedCounted} of ${STATS_CALLS}; indexed count ${fixed(counts.liveMs)} ms`,
    });
    progress(
      `${label}: getStats first ${fixed(counts.coldMs)} ms (${counts.coldQueries} SQL), then p50 ${fixed(counts.p50)} ms`,
    );
    if (EXPLAIN && counts.finishedStatement) {
      await explain(db, counts.finishedStatement, `${label} finished counts`);
    }
    if (EXPLAIN && counts.liveStatement) {
      await explain(db, counts.liveStatement, `${label} live counts`);
    }

    // The overview over HTTP, and its floor.
    server = await startServer('qadmin', url, bodyFile);
    server.kind = 'qadmin';
    const overviewUrl = `${server.origin}/api/overview`;
    const first = await get(overviewUrl);
    const overview = JSON.parse(first.body);
    const q1 = overview.queues?.find((queue) => queue.name === 'q-0001');
    if (first.status !== 200 || overview.queues.length !== names.length || !q1) {
      throw new Error(`${label}: overview ${first.status} with ${overview.queues?.length} queues`);
    }
    await writeFile(bodyFile, first.body);
    const refresh = await server.ask('refresh', { times: REFRESHES });
    row(`overview refresh (listQueues + getStats), ${REFRESHES}x`, {
      'p50 ms': fixed(refresh.p50),
      'p99 ms': fixed(refresh.p99),
      'SQL/call': fixed(refresh.queries, 1),
      notes: `one refresh serves every request for ${refresh.refreshIntervalMs} ms`,
    });
    const run = await measure(server, overviewUrl);
    row('GET /api/overview, qadmin', {
      'p50 ms': run.result.latency.p50,
      'p99 ms': run.result.latency.p99,
      'req/s': Math.round(run.perSecond),
      'CPU ms/req': fixed(run.cpuMsPerRequest, 3),
      'SQL/call': fixed(run.queries / run.result.requests.sent, 4),
      KB: fixed(first.bytes / 1024, 1),
      'RSS MB': mb(run.rss),
      notes: `mean ${fixed(run.result.latency.mean, 2)} ms; ${run.queries} SQL in the ${DURATION_S} s run${run.errors ? `; ${run.errors} errors` : ''}`,
    });
    progress(`${label}: overview ${Math.round(run.perSecond)} req/s`);
    floor = await startServer('floor', url, bodyFile);
    const floorRun = await measure(floor, `${floor.origin}/api/overview`);
    row('GET /api/overview, floor (bare node:http, same bytes)', {
      'p50 ms': floorRun.result.latency.p50,
      'p99 ms': floorRun.result.latency.p99,
      'req/s': Math.round(floorRun.perSecond),
      'CPU ms/req': fixed(floorRun.cpuMsPerRequest, 3),
      KB: fixed(first.bytes / 1024, 1),
      'RSS MB': mb(floorRun.rss),
      notes: `mean ${fixed(floorRun.result.latency.mean, 2)} ms${floorRun.errors ? `; ${floorRun.errors} errors` : ''}`,
    });
    await floor.stop();
    floor = undefined;
    progress(`${label}: floor ${Math.round(floorRun.perSecond)} req/s`);

    // Job pages of `big`.
    const inBig = bigCounts(BIG_QUEUE_JOBS);
    const depths = DEPTHS.filter((depth) => depth < inBig.completed - PAGE_LIMIT);
    const walk = await collectCursors(backend, db, 'completed', depths);
    row(`listJobs(${BIG}, completed, limit ${WALK_LIMIT}) in-process, walking`, {
      'p50 ms': fixed(quantile(walk.pageMs, 0.5)),
      'p99 ms': fixed(quantile(walk.pageMs, 0.99)),
      notes: `${thousands(walk.walked)} jobs walked in ${fixed(walk.walkS)} s${walk.walked < Math.max(...depths) ? `; deeper cursors by SQL OFFSET (BENCH_WALK_S=${WALK_S})` : ''}`,
    });
    progress(
      `${label}: walked ${thousands(walk.walked)} completed jobs in ${fixed(walk.walkS)} s (p50 ${fixed(quantile(walk.pageMs, 0.5))} ms per ${WALK_LIMIT})`,
    );
    const failedDeep = Math.floor((inBig.failed * 0.9) / 1000) * 1000;
    const failedWalk = await collectCursors(backend, db, 'failed', [0, failedDeep]);
    const pages = [
      ...depths.map((depth) => ['completed', depth, walk.cursors.get(depth)]),
      ['failed', 0, undefined],
      ...(failedDeep > 0 ? [['failed', failedDeep, failedWalk.cursors.get(failedDeep)]] : []),
      ['waiting', 0, undefined],
    ];
    const slow = [];
    for (const [state, depth, cursor] of pages) {
      const timed = await timePage(server.origin, state, cursor);
      const measureName = `GET jobs of ${BIG}, ${state}, limit ${PAGE_LIMIT}, after ${thousands(depth)}`;
      if (timed.error) {
        row(measureName, { notes: `answered ${timed.error}` });
        progress(`${label}: ${state} page after ${thousands(depth)}: ${timed.error}`);
        slow.push([state, depth, cursor]);
        continue;
      }
      row(measureName, {
        'p50 ms': fixed(timed.p50),
        'p99 ms': fixed(timed.p99),
        KB: fixed(timed.bytes / 1024, 1),
        notes: [
          timed.p50 > PAGE_GOAL_MS ? `over the ${PAGE_GOAL_MS} ms goal` : '',
          timed.requests < PAGE_REQUESTS ? `${timed.requests} requests` : '',
          timed.failures ? `${timed.failures} failed` : '',
        ]
          .filter(Boolean)
          .join('; '),
      });
      if (timed.p50 > PAGE_GOAL_MS) slow.push([state, depth, cursor]);
      progress(
        `${label}: ${state} page after ${thousands(depth)}: p50 ${fixed(timed.p50)} ms, p99 ${fixed(timed.p99)} ms`,
      );
    }
    if (EXPLAIN) {
      for (const [state, depth, cursor] of slow) {
        const log = countQueries(backend, true);
        await backend.listJobs(BIG, { state, order: 'newest', limit: PAGE_LIMIT, cursor });
        delete backend.pool.query;
        const statement = log.statements.at(-1);
        if (statement) await explain(db, statement, `${label} ${state} page after ${depth}`);
      }
    }
    return rows;
  } finally {
    await server?.stop();
    await floor?.stop();
    await rm(bodyFile, { force: true });
    await backend.close();
    await db.end();
  }
}

const COLUMNS = [
  'pg-boss',
  'measure',
  'p50 ms',
  'p99 ms',
  'req/s',
  'CPU ms/req',
  'SQL/call',
  'KB',
  'RSS MB',
  'notes',
];

/** A markdown table of `rows`, in COLUMNS order. */
function markdown(rows) {
  const columns = COLUMNS;
  const cell = (value) => String(value ?? '').replaceAll('|', '\\|');
  const widths = columns.map((column) =>
    Math.max(column.length, 3, ...rows.map((row) => cell(row[column]).length)),
  );
  const numeric = columns.map((column) =>
    rows.every((row) => row[column] === undefined || typeof row[column] === 'number'),
  );
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map((column, i) => column.padEnd(widths[i]))),
    line(widths.map((width, i) => (numeric[i] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width)))),
    ...rows.map((row) =>
      line(
        columns.map((column, i) =>
          numeric[i] ? cell(row[column]).padStart(widths[i]) : cell(row[column]).padEnd(widths[i]),
        ),
      ),
    ),
  ].join('\n');
}

if (process.argv[2] === '--server') {
  const [kind, url, bodyFile] = process.argv.slice(3);
  await serve(kind, url, bodyFile);
} else {
  const { startPostgres } = await import('@qadmin/test-fixtures');
  const { createPgBossBackend } = await import('@qadmin/backend-pg-boss');
  const { default: pg } = await import('pg');
  const pgServer = await startPostgres();
  try {
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    const {
      rows: [{ server_version: pgVersion }],
    } = await admin.query('SHOW server_version');
    await admin.end();
    progress(`PostgreSQL ${pgVersion} on port ${pgServer.port}`);
    const rows = [];
    for (const major of MAJORS) {
      rows.push(...(await runMajor(pgServer, major, pg, createPgBossBackend)));
    }
    // Each measure's rows side by side, majors in the order asked.
    const measures = [...new Set(rows.map((row) => row.measure))];
    rows.sort(
      (a, b) =>
        measures.indexOf(a.measure) - measures.indexOf(b.measure) ||
        MAJORS.indexOf(a['pg-boss']) - MAJORS.indexOf(b['pg-boss']),
    );
    const cpus = os.cpus();
    console.log(
      `node ${process.version}; ${cpus.length} x ${cpus[0]?.model}; PostgreSQL ${pgVersion}; ` +
        `${QUEUES} queues x ${JOBS.completed + JOBS.failed + JOBS.waiting + JOBS.delayed} jobs + ${BIG} with ${thousands(BIG_QUEUE_JOBS)}; ` +
        `overview: ${CONNECTIONS} connections, ${DURATION_S} s after a 1 s warm-up; pages: ${PAGE_REQUESTS} sequential requests each; ` +
        `total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s\n`,
    );
    console.log(markdown(rows));
  } finally {
    await pgServer.stop();
  }
}
