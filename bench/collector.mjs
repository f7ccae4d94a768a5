// The event collector (@qadmin/backend-collector) over a SQLite file in a
// temporary folder. Measured:
// - ingest in process: BENCH_INGEST_JOBS (default 100,000) jobs, each with a
//   queued, a started and a completed (1 in 10: failed) event, as reporters
//   send them: batches of BENCH_BATCH (default 200) events, a job's three
//   events in three different batches (the worst case: each event reads and
//   writes its job's row). Events per second, and the same with the floor:
//   the events only validated, not stored.
// - ingest over HTTP: the same stream POSTed to api/ingest/events of
//   createAdmin + the collector on node:http in a child process, by
//   BENCH_SENDERS (default 4) concurrent senders; beside it the floor, a bare
//   node:http server in a child process that reads and parses each body and
//   answers the same bytes without storing anything.
// - a store of BENCH_BIG_JOBS (default 1,000,000) jobs in one queue, seeded
//   with record() (a started event with data and a completed or, 1 in 100,
//   failed event per job, in batches of 1,000 events): job pages of 50
//   completed jobs by cursor at depths 0 to 900,000 over HTTP (30 requests one
//   after another each; cursors read with SQL in the backend's format and
//   checked against a walked one), a full-text search for a word one job in
//   1,000 holds and for one every job holds, and the server's RSS.
// Run: pnpm bench:collector (from the repository root). The table goes to
// stdout, progress to stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectorEventSchema, createCollectorBackend } from '@qadmin/backend-collector';
import { answerParent, cpuMs, forkServer } from './lib/servers.mjs';

const INGEST_JOBS = Number(process.env.BENCH_INGEST_JOBS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 200);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 4);
const BIG_JOBS = Number(process.env.BENCH_BIG_JOBS ?? 1_000_000);
const TOKEN = 'bench-ingest-token-0000000000001';
const DEPTHS = [0, 10_000, 100_000, 500_000, 900_000].filter((d) => d < BIG_JOBS * 0.98);
const log = (...args) => console.error('[collector]', ...args);

// ------------------------------------------------------------------ server

if (process.argv[2] === '--server') {
  const [kind, file] = process.argv.slice(3);
  let server;
  if (kind === 'floor') {
    // The floor: HTTP and JSON with nothing stored.
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const { events } = JSON.parse(Buffer.concat(chunks).toString());
        const body = JSON.stringify({ accepted: events.length, duplicates: 0, rejected: [] });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      });
    });
  } else {
    const { createAdmin, createNodeListener } = await import('@qadmin/core');
    const collector = createCollectorBackend({
      file,
      ingestTokens: [TOKEN],
      retention: { maxJobs: 10_000_000 },
    });
    const admin = createAdmin({ backends: [collector], warn: () => {} });
    server = http.createServer(createNodeListener(admin));
  }
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  answerParent(server);
}

// ------------------------------------------------------------------ events

/** The event stream of `jobs` jobs, in batches, each job's events three batches apart. */
function* batches(jobs, prefix) {
  const perBatch = Math.floor(BATCH / 3);
  const now = Date.now();
  const rounds = Math.ceil(jobs / perBatch);
  for (let round = 0; round < rounds + 2; round++) {
    const batch = [];
    for (const [lag, type] of [
      [0, 'queued'],
      [1, 'started'],
      [2, 'done'],
    ]) {
      const r = round - lag;
      if (r < 0 || r >= rounds) continue;
      for (let k = r * perBatch; k < Math.min(jobs, (r + 1) * perBatch); k++) {
        const base = {
          id: `${prefix}${type[0]}${k}`,
          queue: `q${k % 20}`,
          jobId: `${prefix}${k}`,
          time: now + k,
        };
        if (type === 'queued') {
          batch.push({
            ...base,
            type,
            name: 'send-email',
            data: { to: `user${k}@example.com`, template: 'welcome', n: k },
          });
        } else if (type === 'started') {
          batch.push({ ...base, type, worker: `w${k % 8}` });
        } else if (k % 10 === 0) {
          batch.push({
            ...base,
            type: 'failed',
            error: {
              message: `SMTP 451 for user${k}`,
              stack: 'Error: SMTP 451\n    at send (mailer.js:42:11)',
            },
          });
        } else {
          batch.push({ ...base, type: 'completed', result: { messageId: `<${k}@mail>` } });
        }
      }
    }
    yield batch;
  }
}

// -------------------------------------------------------------- measures

async function ingestInProcess(folder) {
  const collector = createCollectorBackend({ file: join(folder, 'inproc.db') });
  let events = 0;
  const started = performance.now();
  for (const batch of batches(INGEST_JOBS, 'p')) {
    const result = collector.record(batch);
    if (result.rejected.length) throw new Error(JSON.stringify(result.rejected[0]));
    events += batch.length;
  }
  const ms = performance.now() - started;
  await collector.close();
  return { events, perSecond: (events / ms) * 1000 };
}

async function ingestOverHttp(origin) {
  const all = [...batches(INGEST_JOBS, 'h')];
  let next = 0;
  let events = 0;
  const times = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        `${origin}/api/ingest/events`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200)
              reject(new Error(`${res.statusCode} ${Buffer.concat(chunks)}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString()));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  // A sender sends its next batch once the last one is answered, as a reporter does.
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < all.length) {
        const batch = all[next++];
        const t = performance.now();
        const answer = await post(JSON.stringify({ events: batch }));
        times.push(performance.now() - t);
        if (answer.rejected.length) throw new Error(JSON.stringify(answer.rejected[0]));
        events += batch.length;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  times.sort((a, b) => a - b);
  return { events, perSecond: (events / ms) * 1000, p50: times[Math.floor(times.length / 2)] };
}

async function seedBig(file) {
  const collector = createCollectorBackend({ file, retention: { maxJobs: 10_000_000 } });
  const started = performance.now();
  const week = 7 * 24 * 3_600_000;
  const from = Date.now() - week;
  let events = 0;
  for (let k = 0; k < BIG_JOBS; k += 500) {
    const batch = [];
    for (let i = k; i < Math.min(BIG_JOBS, k + 500); i++) {
      const base = { queue: 'big', jobId: `${i}`, name: 'report', worker: `w${i % 8}` };
      const time = Math.floor(from + (i * week) / BIG_JOBS);
      const note = i % 1000 === 0 ? 'quarterly export' : 'daily export';
      batch.push({
        ...base,
        id: `s${i}`,
        type: 'started',
        time,
        data: { customer: `c${i % 5000}`, note },
      });
      batch.push(
        i % 100 === 0
          ? {
              ...base,
              id: `f${i}`,
              type: 'failed',
              time: time + 50,
              error: { message: `timeout ${note}` },
            }
          : { ...base, id: `c${i}`, type: 'completed', time: time + 50, result: { rows: i % 97 } },
      );
    }
    collector.record(batch);
    events += batch.length;
    if (k % 200_000 === 0) log(`seeded ${k} of ${BIG_JOBS}`);
  }
  const ms = performance.now() - started;
  // A running collector indexes text every 250 ms as it goes; this loop never yielded, so the
  // index catches up here, before the server reads the file (it would otherwise do it while measured).
  const indexing = performance.now();
  while (collector.store.indexText() > 0);
  const indexMs = performance.now() - indexing;
  await collector.close();
  return { perSecond: (events / ms) * 1000, ms, indexMs };
}

const cursorOf = (createdAt, seq) =>
  `c1.${Buffer.from(JSON.stringify([createdAt, seq])).toString('base64url')}`;

async function timed(url, n = 30) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const response = await fetch(url);
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status} ${text.slice(0, 200)}`);
    times.push(performance.now() - t);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n / 2)], p99: times[n - 1], bytes };
}

// ------------------------------------------------------------------ main

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'qadmin-bench-collector-'));
  const rows = [];
  const row = (measure, value, note = '') => {
    rows.push([measure, value, note]);
    log(measure, value, note);
  };
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  try {
    const inProcess = await ingestInProcess(folder);
    row(
      `ingest in process, batches of ${BATCH}`,
      `${fmt(inProcess.perSecond)} events/s`,
      `${fmt(inProcess.events)} events of ${fmt(INGEST_JOBS)} jobs; each job's 3 events in 3 batches`,
    );
    const validateOnly = performance.now();
    let validated = 0;
    for (const batch of batches(INGEST_JOBS, 'v')) {
      for (const event of batch) collectorEventSchema.parse(event);
      validated += batch.length;
    }
    row(
      'floor: validating the same events only',
      `${fmt((validated / (performance.now() - validateOnly)) * 1000)} events/s`,
    );

    for (const kind of ['qadmin', 'floor']) {
      const server = await forkServer(new URL(import.meta.url), [
        kind,
        join(folder, `http-${kind}.db`),
      ]);
      const before = await server.ask('sample');
      const result = await ingestOverHttp(server.origin);
      const after = await server.ask('sample');
      const cpu = cpuMs(after.cpu) - cpuMs(before.cpu);
      row(
        kind === 'qadmin'
          ? `ingest over HTTP, ${SENDERS} senders, batches of ${BATCH}`
          : 'floor: bare node:http parsing the same bodies',
        `${fmt(result.perSecond)} events/s`,
        `batch p50 ${result.p50.toFixed(1)} ms; server CPU ${((cpu / result.events) * 1000).toFixed(1)} µs/event; RSS ${Math.round(after.rss / 2 ** 20)} MB`,
      );
      await server.stop();
    }

    const bigFile = join(folder, 'big.db');
    log(`seeding ${BIG_JOBS} jobs`);
    const seeded = await seedBig(bigFile);
    row(
      `seed: ${fmt(BIG_JOBS)} jobs, a started and a finished event each, batches of 1,000`,
      `${fmt(seeded.perSecond)} events/s`,
      `${(seeded.ms / 1000).toFixed(1)} s, then ${(seeded.indexMs / 1000).toFixed(1)} s to index the text of ${fmt(BIG_JOBS)} jobs`,
    );
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(bigFile, { readonly: true });
    const depthCursor = (depth) => {
      if (depth === 0) return undefined;
      const r = db
        .prepare(
          "SELECT created_at, seq FROM jobs WHERE queue = 'big' AND state = 'completed' ORDER BY created_at DESC, seq DESC LIMIT 1 OFFSET ?",
        )
        .get(depth - 1);
      return cursorOf(r.created_at, r.seq);
    };
    const server = await forkServer(new URL(import.meta.url), ['qadmin', bigFile]);
    const base = `${server.origin}/api/queues/collector%3Abig/jobs?state=completed&limit=50`;
    // The cursor format is the backend's: check one against a walked one.
    const walked = await (await fetch(`${base}`)).json();
    if (walked.nextCursor !== depthCursor(50))
      throw new Error('cursor format differs from the backend');
    for (const depth of DEPTHS) {
      const cursor = depthCursor(depth);
      const t = await timed(cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base);
      row(
        `page of 50 completed jobs at depth ${fmt(depth)}`,
        `p50 ${t.p50.toFixed(1)} ms`,
        `p99 ${t.p99.toFixed(1)} ms, ${fmt(t.bytes)} bytes`,
      );
    }
    for (const limit of [10, 100]) {
      const t = await timed(
        `${server.origin}/api/queues/collector%3Abig/jobs?state=completed&limit=${limit}`,
      );
      row(`page of ${limit} completed jobs`, `p50 ${t.p50.toFixed(1)} ms`, `${fmt(t.bytes)} bytes`);
    }
    const rare = await timed(
      `${server.origin}/api/queues/collector%3Abig/jobs?state=completed&q=quarterly&in=data&limit=50`,
    );
    row(
      'full-text search, a word in 1 job of 1,000 (data)',
      `p50 ${rare.p50.toFixed(1)} ms`,
      `p99 ${rare.p99.toFixed(1)} ms`,
    );
    const common = await timed(
      `${server.origin}/api/queues/collector%3Abig/jobs?state=completed&q=export&in=data&limit=50`,
    );
    row(
      'full-text search, a word every job holds',
      `p50 ${common.p50.toFixed(1)} ms`,
      `p99 ${common.p99.toFixed(1)} ms (bounded by scanLimit)`,
    );
    const failed = await timed(
      `${server.origin}/api/queues/collector%3Abig/jobs?state=failed&q=quarterly&in=error&limit=50`,
    );
    row(
      'full-text search in errors of failed jobs',
      `p50 ${failed.p50.toFixed(1)} ms`,
      `p99 ${failed.p99.toFixed(1)} ms`,
    );
    const overview = await timed(`${server.origin}/api/overview`);
    row('overview (counts of a 1,000,000-job store)', `p50 ${overview.p50.toFixed(1)} ms`);
    const sample = await server.ask('sample');
    row('server RSS after these reads', `${Math.round(sample.rss / 2 ** 20)} MB`);
    await server.stop();
    db.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(`\n| measure | result | notes |\n| --- | --- | --- |`);
  for (const [m, v, n] of rows) console.log(`| ${m} | ${v} | ${n} |`);
  console.log(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
}

if (process.argv[2] !== '--server') await main();
