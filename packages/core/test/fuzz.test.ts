/**
 * Property-based fuzzing of the whole dashboard over real HTTP: a node:http
 * server with `createNodeListener(createAdmin(...))` over the memory backend
 * (seeded with jobs in every state, logs, a schedule, a paused queue and
 * hostile payloads), hit with at least 10,000 random requests, eight at a
 * time on keep-alive sockets.
 *
 * Each request is a random method (the route's own, another standard one,
 * or an unusual one), a path (a route of `apiRoutes` with real, unknown,
 * encoded, unicode, huge, `..`, `%2e%2e` and `%00` segments, or a random
 * path), a query string (random and real parameter names, repeated, huge
 * values) and a body (random JSON shapes with `__proto__` / `constructor` /
 * `prototype` keys, nesting up to 1,000 levels, strings around the 1 MiB
 * body limit, lone surrogates, bytes that are not UTF-8 or not JSON, every
 * kind of content type, sent with a length or chunked, also on GET).
 *
 * Every answer must arrive (no hang), never be a 5xx, be problem+json with a
 * title when it is a 4xx, and carry no stack frame, no path of this machine
 * and nothing from outside the UI directory. Afterwards the server still
 * answers, `Object.prototype` is untouched, and the dashboard's state (every
 * queue, its paused flag, its schedules, and every job's id, state, data and
 * log count, read through the service) is exactly what it was.
 *
 * How state can stay unchanged while mutations are fuzzed: a request that
 * the route table would accept as a mutation is never generated. A POST or
 * DELETE whose path, as the server will parse it (URL normalisation of `..`
 * included), names a seeded queue is kept only when its body is one that no
 * mutation schema of the route table accepts (wrong content type, not JSON,
 * not UTF-8, or JSON that `addJobInputSchema`, `jobActionSchema`,
 * `bulkActionSchema` and `scheduleInputSchema` all refuse) and, for a DELETE,
 * when no segment names a seeded schedule. The same bodies, valid ones
 * included, still go to unknown queues, where they are parsed and validated
 * in full before the queue lookup refuses them. The check is deliberately
 * coarser than the router (any mutation schema, any segment), so it can only
 * keep back more requests than needed, never let a real mutation through:
 * any state change afterwards is a request that was refused but acted anyway.
 * The alternative, recording each 2xx mutation and excluding what it
 * touched, could not tell which jobs a `clean` or `retry-all` touched.
 *
 * Two answers do not come from qadmin and are allowed only where HTTP says
 * so: node's own parser refuses a request line or headers over 16 KiB (431)
 * and a method token it does not know (400), with an empty body before the
 * listener runs; and a body over the limit may be cut off by a connection
 * reset after the 413 (the server stops reading it, as it should, and the
 * client is still sending).
 *
 * `QADMIN_FUZZ_RUNS` (batches of 8, default 1,300) and `QADMIN_FUZZ_SEED`
 * replay or extend a run. Under `CI` the seed is fixed, so a landing is
 * judged on the same 10,400 requests every time; elsewhere each run draws new
 * ones, and a failure prints the seed that replays it.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, type QadminApp } from '../src/http/admin';
import { DEFAULT_BODY_LIMIT_BYTES } from '../src/http/body';
import { createNodeListener } from '../src/http/node';
import { apiRoutes } from '../src/http/routes';
import {
  addJobInputSchema,
  bulkActionSchema,
  jobActionSchema,
  scheduleInputSchema,
} from '../src/model';
import type { AdminService } from '../src/service';

const BATCH = 8;
const RUNS = Number(process.env.QADMIN_FUZZ_RUNS ?? 1300);
const SEED =
  process.env.QADMIN_FUZZ_SEED !== undefined
    ? Number(process.env.QADMIN_FUZZ_SEED)
    : process.env.CI
      ? 20_261_201
      : undefined;
const REQUEST_TIMEOUT_MS = 15_000;
/** node:http's default limit of the request line plus headers. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;
/** A clock that stands still: no delayed job becomes due and no schedule fires while the test runs. */
const CLOCK = 1_750_000_000_000;

const SECRET = 'TOKEN=outside-the-ui-dir';
const REPO_ROOT = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '../../..'));

interface Fixture {
  admin: QadminApp;
  backend: MemoryBackend;
  /** Queue ids as the API names them (`memory:emails`). */
  queueIds: string[];
  jobIds: string[];
  scheduleIds: string[];
  uiDir: string;
  /** Holds uiDir and, beside it, a file that must never be served. */
  workDir: string;
}

/** A failure whose stack is just its message, so a stack frame in an answer can only come from the server. */
function failure(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/**
 * The dashboard under test: the memory backend with a few queues and jobs in
 * every state, a UI directory with a known file (and a secret file beside
 * it), and the admin built over them. The one place the admin is built.
 */
function makeAdmin(): Fixture {
  const workDir = mkdtempSync(join(tmpdir(), 'qadmin-fuzz-'));
  const uiDir = join(workDir, 'ui');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(
    join(uiDir, 'index.html'),
    '<!doctype html><html><head><title>UI</title></head><body><qadmin-app></qadmin-app></body></html>',
  );
  writeFileSync(join(uiDir, 'assets', 'app-3f9a1c2b.js'), 'export const ok = 1;\n');
  writeFileSync(join(workDir, 'secret.txt'), SECRET);

  const backend = createMemoryBackend({ id: 'memory', label: 'Fuzzed', now: () => CLOCK });
  const jobIds: string[] = [];
  const seedQueue = (name: string, payloads: readonly unknown[]) => {
    const queue = backend.queue(name);
    const add = (state: string, i: number, opts = {}) => {
      const job = queue.add(
        `${state}-job`,
        { state, i, payload: payloads[i % payloads.length] },
        opts,
      );
      jobIds.push(job.id);
      queue.log(job.id, `log line for ${state} <b>${i}</b>`);
      return job;
    };
    for (let i = 0; i < 2; i++) {
      const done = add('completed', i);
      queue.takeNext({ id: done.id, workerId: 'fuzz-worker' });
      queue.complete(done.id, { ok: true, i });
      const failed = add('failed', i);
      queue.takeNext({ id: failed.id, workerId: 'fuzz-worker' });
      queue.fail(failed.id, failure(`SMTP timeout <script>${i}</script>`));
      const active = add('active', i);
      queue.takeNext({ id: active.id, workerId: 'fuzz-worker' });
      queue.cancel(add('cancelled', i).id);
      add('delayed', i, { delayMs: 3_600_000 + i });
      add('prioritized', i, { priority: 1 + i });
      add('waiting', i);
    }
    const parent = add('waiting-children', 0);
    add('waiting', 2, { parent: { queue: name, id: parent.id } });
    return queue;
  };
  seedQueue('emails', [
    { to: 'ada@example.com' },
    JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
  ]);
  seedQueue('reports', ['<img src=x onerror=alert(1)>', { nested: { deep: [1, 2, { x: null }] } }]);
  seedQueue('ünï/cødé:q', [{ emoji: '👩‍👩‍👧‍👦', rtl: 'שלום' }, 'broken \uD83D pair']).pause();
  backend.queue('emails').upsertSchedule({
    id: 'nightly',
    jobName: 'digest',
    pattern: '0 3 1 1 *',
    data: { kind: 'digest' },
  });

  // Access options (an auth provider, writes allowed) belong here: the
  // mutation fence below keeps accepted mutations out whatever they allow.
  const admin = createAdmin({
    backends: [backend],
    uiDir,
    title: 'Fuzzed queues',
    // Writes allowed, so every mutation route validates its input past the access rules
    // (read-only, they would be refused before the backend saw anything).
    unsafeAnonymousWrites: true,
    warn: () => {},
  });
  return {
    admin,
    backend,
    queueIds: ['memory:emails', 'memory:reports', 'memory:ünï/cødé:q'],
    jobIds,
    scheduleIds: ['nightly'],
    uiDir,
    workDir,
  };
}

// ---------------------------------------------------------------- the state

interface StateSnapshot {
  queues: unknown[];
  jobs: Record<string, unknown>;
}

/** Every queue (counts, paused, schedules) and every job (id, state, data, logs), read through the service. */
async function snapshot(service: AdminService): Promise<StateSnapshot> {
  const overview = await service.overview({ fresh: true });
  const queues: unknown[] = [];
  const jobs: Record<string, unknown> = {};
  for (const queue of overview.queues) {
    const caps = await service.capabilities(queue.id);
    queues.push({
      id: queue.id,
      counts: queue.counts,
      paused: queue.paused,
      schedules: await service.schedules(queue.id),
    });
    for (const state of caps.states) {
      let cursor: string | null = null;
      do {
        const page = await service.listJobs(queue.id, {
          state,
          limit: '100',
          ...(cursor === null ? {} : { cursor }),
        });
        for (const summary of page.jobs) {
          const job = await service.getJob(queue.id, summary.id);
          const logs = await service.getJobLogs(queue.id, summary.id, { limit: 1000 });
          jobs[`${queue.id}/${job.id}`] = {
            state: job.state,
            data: job.data,
            logs: logs.lines.length,
          };
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
  }
  return { queues, jobs };
}

// ----------------------------------------------------------- arbitraries

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD's bytes). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const TRICKY_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%00',
  'a%00b',
  'index.html%00.js',
  '%2F',
  '..%2f..%2f',
  '..%2F..%2Fsecret.txt',
  '%2e%2e%2fsecret.txt',
  '%252e%252e',
  '%252e%252e%252fsecret.txt',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  '%ED%A0%BD',
  '%ff',
  '%5c..%5c',
  '..\\..\\secret.txt',
  '..%5csecret.txt',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '',
  ';',
  'a;b=c',
  'api',
  'queues',
  'index.html',
  'favicon.ico',
  'secret.txt',
  '.env',
  'assets',
  'app-3f9a1c2b.js',
  'openapi.json',
  'node_modules',
  'memory%3A',
  '%3A',
  'C:%5CWindows%5Cwin.ini',
  '%2Fetc%2Fpasswd',
] as const;

const junkSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(percentEncode) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(percentEncode) },
  {
    weight: 2,
    // Raw characters that may stand in a path, '%' included: sequences that are not valid escapes.
    arbitrary: fc.string({
      unit: fc.constantFrom(..."abz09.-_~!$&'()*+,;=:@%".split('')),
      maxLength: 10,
    }),
  },
  {
    weight: 1,
    // Mostly below node's 16 KiB limit of the request line, sometimes over it.
    arbitrary: fc
      .tuple(
        fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 256, max: 6_000 }) },
          { weight: 1, arbitrary: fc.integer({ min: 16_000, max: 20_000 }) },
        ),
        fc.constantFrom('a', '%2e', '%F0%9F%98%80'),
      )
      .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length))),
  },
);

function pathArbitraries(fixture: Fixture) {
  const realQueue = fc.constantFrom(...fixture.queueIds);
  const queueSegment = fc.oneof(
    { weight: 8, arbitrary: realQueue.map((id) => encodeURIComponent(id)) },
    // The colon left as it is (valid in a path segment), or the whole id double-encoded.
    { weight: 1, arbitrary: realQueue.map((id) => encodeURIComponent(id).replace('%3A', ':')) },
    { weight: 1, arbitrary: realQueue.map((id) => encodeURIComponent(encodeURIComponent(id))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'memory%3Anope',
        'other%3Aemails',
        'memory%3AEMAILS',
        'memory%3A%00',
      ),
    },
    { weight: 2, arbitrary: junkSegment.map((s) => `memory%3A${s}`) },
    { weight: 2, arbitrary: junkSegment },
  );
  const jobSegment = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...fixture.jobIds).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom('0', '-1', '999999', '1e3', 'a%2Fb', 'null') },
    { weight: 2, arbitrary: junkSegment },
  );
  const scheduleSegment = fc.oneof(
    fc.constantFrom(...fixture.scheduleIds, 'nope', 'NIGHTLY'),
    junkSegment,
  );
  const routePath = fc
    .tuple(
      // Routes that read a body are drawn more often: their parsing is the most to attack.
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...apiRoutes.filter((r) => 'body' in r)) },
        { weight: 2, arbitrary: fc.constantFrom(...apiRoutes) },
      ),
      queueSegment,
      jobSegment,
      scheduleSegment,
      fc.oneof(
        { weight: 12, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom('/', '//', '/..', '/%2e%2e', '?', '#frag') },
      ),
      fc.option(fc.array(junkSegment, { minLength: 1, maxLength: 3 }), { freq: 5 }),
    )
    .map(([route, queueId, jobId, scheduleId, suffix, detour]) => {
      const path = route.path
        .replace('{queueId}', queueId)
        .replace('{jobId}', jobId)
        .replace('{scheduleId}', scheduleId);
      // A detour through junk segments and back up with `..` (the URL parser removes it).
      const prefix = detour ? `/${detour.join('/')}${'/..'.repeat(detour.length)}` : '';
      return { route, path: `${prefix}${path}${suffix}` };
    });
  const randomPath = fc
    .array(junkSegment, { maxLength: 8 })
    .map((segments) => ({ route: undefined, path: `/${segments.join('/')}` }));
  const oddPath = fc.constantFrom(
    '/',
    '//',
    '///api//overview',
    '/api/',
    '/api',
    '/API/overview',
    '/api/overview/',
    '/api/queues',
    '/api/queues/',
    '//evil.example/api/overview',
    '/\\evil.example/',
    '/..',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/../../secret.txt',
    '/metrics/',
    '/api/events',
  );
  return fc.oneof(
    { weight: 7, arbitrary: routePath },
    { weight: 2, arbitrary: randomPath },
    { weight: 1, arbitrary: oddPath.map((path) => ({ route: undefined, path })) },
  );
}

const QUERY_NAMES = [
  'state',
  'limit',
  'cursor',
  'offset',
  'order',
  'name',
  'id',
  'q',
  'in',
  'scanLimit',
  'range',
  'fresh',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
  'state[]',
  'limit[0]',
] as const;
const QUERY_VALUES = [
  'waiting',
  'failed',
  'completed',
  'waiting-children',
  'removed',
  'WAITING',
  '-1',
  '0',
  '1',
  '100',
  '101',
  '1000',
  '1001',
  '1.5',
  '1e308',
  'NaN',
  'Infinity',
  '99999999999999999999999',
  'newest',
  'oldest',
  'name,data,error',
  'data,,',
  'everything',
  '1h',
  '24h',
  '7d',
  '%00',
  '<script>alert(1)</script>',
  '{"$gt":""}',
  '',
] as const;

const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 8 })),
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...QUERY_VALUES) },
            { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
            {
              weight: 1,
              arbitrary: fc.integer({ min: 1000, max: 6_000 }).map((n) => 'x'.repeat(n)),
            },
          ),
        ),
        { minLength: 1, maxLength: 8 },
      )
      .chain((pairs) =>
        // Repeated parameters: the first pair again with another value.
        fc
          .boolean()
          .map((repeat): [string, string][] =>
            repeat && pairs[0] ? [...pairs, [pairs[0][0], 'again']] : pairs,
          ),
      )
      .map(
        (pairs) => `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?',
      '?&&&',
      '?=',
      '?%',
      '?a=%zz',
      '?state',
      '?state=failed&state=waiting',
      '?%00=%00',
    ),
  },
);

/** A JSON value nested `depth` levels deep, as text (objects and arrays taking turns). */
function nested(depth: number, key: string): string {
  let text = '"leaf"';
  for (let i = 0; i < depth; i++) text = i % 2 ? `[${text}]` : `{"${key}":${text}}`;
  return text;
}

/** A string that is `bytes` long in UTF-8 (within 4 bytes). */
function sized(bytes: number, unit: string): string {
  return unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(unit))));
}

const POLLUTION_BODIES = [
  '{"__proto__":{"polluted":"yes","isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
  '{"type":"retry","__proto__":{"type":"remove"}}',
  '{"type":"update-data","data":{"__proto__":{"polluted":"yes"}}}',
  '{"name":"x","data":{"constructor":{"prototype":{"polluted":"yes"}}},"options":{"__proto__":{"polluted":"yes"}}}',
  '{"id":"s","jobName":"j","pattern":"* * * * *","options":{"__proto__":{"polluted":"yes"}}}',
  '[{"__proto__":{"polluted":"yes"}}]',
  '{"__proto__":null}',
  '{"__proto__":[]}',
];

/** Bodies each route would accept: they must only ever reach unknown queues (see the header). */
const VALID_MUTATION_BODIES = [
  { type: 'retry' },
  { type: 'remove' },
  { type: 'promote' },
  { type: 'cancel' },
  { type: 'discard' },
  { type: 'duplicate' },
  { type: 'complete', returnValue: { ok: true } },
  { type: 'update-data', data: { replaced: true } },
  { type: 'change-delay', delayMs: 0 },
  { type: 'change-priority', priority: 3 },
  { type: 'retry-all' },
  { type: 'promote-all' },
  { type: 'clean', state: 'completed' },
  { type: 'empty' },
  { type: 'pause' },
  { type: 'resume' },
  { type: 'obliterate' },
  { name: 'injected', data: { x: 1 } },
  {},
  { id: 'nightly', jobName: 'digest', pattern: '* * * * *' },
].map((value) => JSON.stringify(value));

interface BodySpec {
  bytes: Buffer;
  /** JSON text, when the bytes are meant to be JSON (for the mutation fence). */
  kind: string;
}

const jsonBody: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({
      bytes: Buffer.from(JSON.stringify(value) ?? 'null'),
      kind: 'random-json',
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'type',
          'data',
          'name',
          'state',
          'id',
          'jobName',
          'options',
          'delayMs',
          'priority',
          'attempts',
        ),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constantFrom(
            'retry',
            'clean',
            'update-data',
            'pause',
            'obliterate',
            'failed',
            -1,
            1e308,
            '* * * * *',
          ),
        ),
        { maxKeys: 5 },
      )
      .map((value) => ({ bytes: Buffer.from(JSON.stringify(value)), kind: 'keyed-json' })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...POLLUTION_BODIES)
      .map((t) => ({ bytes: Buffer.from(t), kind: 'pollution' })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...VALID_MUTATION_BODIES)
      .map((t) => ({ bytes: Buffer.from(t), kind: 'valid-mutation' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('a', 'data', '__proto__', 'type'))
      .map(([depth, key]) => ({ bytes: Buffer.from(nested(depth, key)), kind: 'deep' })),
  },
  {
    weight: 2,
    // Around the 1 MiB limit, in one-byte and multi-byte characters.
    arbitrary: fc
      .tuple(
        fc.integer({
          min: DEFAULT_BODY_LIMIT_BYTES - 50_000,
          max: DEFAULT_BODY_LIMIT_BYTES + 50_000,
        }),
        fc.constantFrom('x', 'é', '😀', '<'),
        fc.constantFrom('data', 'name', 'q'),
      )
      .map(([bytes, unit, key]) => ({
        bytes: Buffer.from(`{"type":"update-data","${key}":"${sized(bytes, unit)}"}`),
        kind: 'huge',
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"data":"\\ud800"}',
        '{"name":"\\udfff\\ud800"}',
        '{"\\ud83d":"lone key"}',
        '"\\u0000"',
        '{"name":"a\\u0000b"}',
        '{"type":"retry\\u0000"}',
        '{"type":"RETRY"}',
        '{"type":"retry "}',
        '{"type":["retry"]}',
        '{"type":{"toString":"retry"}}',
      )
      .map((t) => ({ bytes: Buffer.from(t), kind: 'unicode-json' })),
  },
);

const rawBody: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ maxLength: 512 })
      .map((b) => ({ bytes: Buffer.from(b), kind: 'bytes' })),
  },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 200 })
      .map((s) => ({ bytes: Buffer.from(s), kind: 'text' })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '',
        ' ',
        '{',
        '}',
        '[',
        '{"a":1}garbage',
        '{"a":1}{"b":2}',
        'NaN',
        'undefined',
        "{'type':'retry'}",
        '{type:"retry"}',
        '{"type":"retry",}',
        'type=retry',
        '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nretry\r\n--x--',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      )
      .map((t) => ({ bytes: Buffer.from(t), kind: 'not-json' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"type":"retry"}')]),
        Buffer.from([0xed, 0xa0, 0xbd, 0x22]),
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xae, 0x22, 0x7d]),
        Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
        Buffer.from('{"type":"retry"}', 'utf16le'),
      )
      .map((bytes) => ({ bytes, kind: 'not-utf8' })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1000, max: 200_000 })
      .map((n) => ({ bytes: Buffer.from('['.repeat(n)), kind: 'unbalanced' })),
  },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/vnd.qadmin+json',
  'application/jsonx',
  'text/json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
  ';;;',
  '',
] as const;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: BodySpec | null;
  chunked: boolean;
  [fc.toStringMethod]?: () => string;
}

const STANDARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** Tokens node's parser knows but qadmin does not answer. */
const UNUSUAL_METHODS = [
  'TRACE',
  'PROPFIND',
  'PURGE',
  'MKCOL',
  'SEARCH',
  'REPORT',
  'LINK',
  'QUERY',
] as const;
/** Tokens node's parser refuses itself (400 before the listener). */
const UNKNOWN_METHODS = ['FOO', 'BREW', 'G3T'] as const;

function requestArbitrary(fixture: Fixture): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      target: pathArbitraries(fixture),
      query: queryString,
      methodChoice: fc.oneof(
        { weight: 5, arbitrary: fc.constant('route') },
        { weight: 4, arbitrary: fc.constantFrom(...STANDARD_METHODS) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...UNUSUAL_METHODS, ...UNKNOWN_METHODS, 'get', 'Post'),
        },
      ),
      body: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 6, arbitrary: jsonBody },
        { weight: 3, arbitrary: rawBody },
      ),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 6 }),
      accept: fc.option(
        fc.constantFrom(
          'text/html',
          'application/json',
          '*/*',
          'text/event-stream',
          'image/*',
          '<script>',
        ),
      ),
      acceptEncoding: fc.option(
        fc.constantFrom('gzip, br', 'br;q=0, gzip', 'identity', '*', 'x;q=NaN'),
      ),
      ifNoneMatch: fc.option(fc.constantFrom('*', '"x"', 'W/"x", "y"', '"')),
      extra: fc.option(
        fc.record({
          name: fc.constantFrom(
            'x-forwarded-prefix',
            'x-http-method-override',
            'origin',
            'range',
            'cookie',
          ),
          value: fc.constantFrom(
            'DELETE',
            '/../..',
            'http://evil.example',
            'bytes=0-1',
            '__proto__=1',
          ),
        }),
      ),
      // The header a browser-side client adds to a change (see auth's same-origin check):
      // mostly there, so that bodies get as far as the parser and the schemas.
      csrf: fc.oneof(
        { weight: 4, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      chunked: fc.boolean(),
    })
    .map((r): FuzzRequest => {
      const method =
        r.methodChoice === 'route' ? (r.target.route?.method ?? 'GET') : r.methodChoice;
      const headers: Record<string, string> = {};
      if (r.body && r.contentType === null) headers['content-type'] = 'application/json';
      else if (r.contentType !== null) headers['content-type'] = r.contentType;
      if (r.accept !== null) headers.accept = r.accept;
      if (r.acceptEncoding !== null) headers['accept-encoding'] = r.acceptEncoding;
      if (r.ifNoneMatch !== null) headers['if-none-match'] = r.ifNoneMatch;
      if (r.extra !== null) headers[r.extra.name] = r.extra.value;
      if (r.csrf) headers['x-qadmin-csrf'] = '1';
      return {
        method,
        path: `${r.target.path}${r.query}`,
        headers,
        body: r.body,
        chunked: r.chunked,
        // fast-check prints a counterexample with this: bodies of a megabyte stay readable.
        [fc.toStringMethod]() {
          return describeRequest(this);
        },
      };
    });
}

// ---------------------------------------------------------- the mutation fence

const MUTATION_SCHEMAS = [
  addJobInputSchema,
  jobActionSchema,
  bulkActionSchema,
  scheduleInputSchema,
];
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeLoosely(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** True when some mutation schema would take this body as JSON (a superset of what any route accepts). */
function bodyCouldMutate(request: FuzzRequest): boolean {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) {
    return false;
  }
  if (!request.body) return false;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(request.body.bytes));
  } catch {
    return false;
  }
  return MUTATION_SCHEMAS.some((schema) => schema.safeParse(value).success);
}

/**
 * True when the request might be a mutation the dashboard accepts: a POST or
 * DELETE (as node sends it, upper-cased) whose path names a seeded queue with
 * a body some mutation schema accepts, or, for DELETE, a seeded schedule.
 */
function mightMutate(request: FuzzRequest, fixture: Fixture): boolean {
  const method = request.method.toUpperCase();
  if (method !== 'POST' && method !== 'DELETE') return false;
  // The path as the server will see it: node's listener parses it with the URL parser too.
  const target = request.path.startsWith('/') ? `http://localhost${request.path}` : request.path;
  let pathname: string;
  try {
    pathname = new URL(target, 'http://localhost').pathname;
  } catch {
    return true;
  }
  const segments = pathname.split('/').map(decodeLoosely);
  if (!segments.some((s) => fixture.queueIds.includes(s))) return false;
  if (method === 'DELETE') return segments.some((s) => fixture.scheduleIds.includes(s));
  return bodyCouldMutate(request);
}

// ------------------------------------------------------------------ sending

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The connection was reset before an answer (allowed only for a body over the limit). */
  reset?: string;
}

function send(origin: URL, agent: Agent, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    const done = (answer: Answer) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const headers = { ...request.headers };
    const body = request.body?.bytes;
    if (body) {
      // Explicit: node's client only chunks a POST/PUT/PATCH body by itself.
      if (request.chunked) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = String(body.byteLength);
    }
    const req = httpRequest(
      {
        agent,
        hostname: origin.hostname,
        port: origin.port,
        method: request.method,
        path: request.path,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const isStream = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
        const finish = () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // An event stream never ends by itself: its first event is enough.
          if (isStream) {
            finish();
            res.destroy();
          }
        });
        res.on('end', finish);
        res.on('error', (error) => {
          if (!answered) {
            clearTimeout(timer);
            reject(error);
          }
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        done({ status: 0, headers: {}, body: Buffer.alloc(0), reset: error.code });
        return;
      }
      clearTimeout(timer);
      reject(error);
    });
    if (body && request.chunked) {
      const cut = Math.floor(body.byteLength / 2);
      req.write(body.subarray(0, cut));
      req.end(body.subarray(cut));
    } else req.end(body);
  });
}

function describeRequest(request: FuzzRequest): string {
  const path =
    request.path.length > 300
      ? `${request.path.slice(0, 300)}…(${request.path.length})`
      : request.path;
  const body = request.body
    ? ` body[${request.body.kind}, ${request.body.bytes.byteLength} B${request.chunked ? ', chunked' : ''}]: ${request.body.bytes.subarray(0, 200).toString('latin1')}`
    : '';
  return `${request.method} ${path} ${JSON.stringify(request.headers)}${body}`;
}

/** What must never appear in an answer unless the request itself carried it. */
function leakPatterns(fixture: Fixture): RegExp[] {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    /\n\s+at /,
    /^\s+at \S/m,
    /\bat [^\s()]+ \([^)]*:\d+:\d+\)/,
    /\.(?:ts|js|mjs|cjs):\d+:\d+/,
    /node_modules/,
    /file:\/\//,
    new RegExp(literal(REPO_ROOT)),
    new RegExp(literal(fixture.workDir)),
    new RegExp(literal(SECRET)),
  ];
}

// -------------------------------------------------------------------- tests

describe('the dashboard under fuzzing over real HTTP', () => {
  let fixture: Fixture;
  let server: ReturnType<typeof createServer>;
  let origin: URL;
  let agent: Agent;
  let before: StateSnapshot;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const arrayPrototypeKeys = Object.getOwnPropertyNames(Array.prototype).sort();

  beforeAll(async () => {
    fixture = makeAdmin();
    server = createServer(createNodeListener(fixture.admin));
    // Connections stay open between the property's batches however slow one is.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    agent = new Agent({ keepAlive: true, maxSockets: BATCH });
    before = await snapshot(fixture.admin.service);
  });

  afterAll(async () => {
    agent?.destroy();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await fixture?.admin.close();
    if (fixture) rmSync(fixture.workDir, { recursive: true, force: true });
  });

  it(`answers ${RUNS * BATCH} random requests without a 5xx, a hang, a leak or a change of state`, async () => {
    const startedAt = Date.now();
    const leaks = leakPatterns(fixture);
    const stats = {
      sent: 0,
      fenced: 0,
      resets: 0,
      parserRejects: 0,
      byStatus: {} as Record<string, number>,
    };
    const request = requestArbitrary(fixture).filter((r) => {
      if (!mightMutate(r, fixture)) return true;
      stats.fenced++;
      return false;
    });

    const check = (req: FuzzRequest, answer: Answer): string | null => {
      const text = answer.body.toString('utf8');
      const sentText = `${req.path}\n${JSON.stringify(req.headers)}\n${req.body?.bytes.toString('utf8') ?? ''}`;
      if (answer.reset) {
        const overLimit = (req.body?.bytes.byteLength ?? 0) > DEFAULT_BODY_LIMIT_BYTES;
        return overLimit ? null : `connection reset (${answer.reset}) on a body within the limit`;
      }
      if (answer.status >= 500) return `status ${answer.status}: ${text.slice(0, 500)}`;
      const contentType = String(answer.headers['content-type'] ?? '');
      if (answer.status >= 400 && contentType === '' && text === '') {
        // node's parser refused it before the listener ran: only for what HTTP says it may.
        const headerBytes = req.path.length + JSON.stringify(req.headers).length;
        const unknownMethod = (UNKNOWN_METHODS as readonly string[]).includes(req.method);
        const allowed =
          (answer.status === 431 && headerBytes > NODE_MAX_HEADER_BYTES - 1024) ||
          (answer.status === 400 && (unknownMethod || headerBytes > NODE_MAX_HEADER_BYTES - 1024));
        if (allowed) {
          stats.parserRejects++;
          return null;
        }
        return `status ${answer.status} without a body or content type`;
      }
      if (answer.status >= 400) {
        if (!contentType.startsWith('application/problem+json')) {
          return `status ${answer.status} answered as ${contentType || 'no content type'}: ${text.slice(0, 300)}`;
        }
        if (req.method.toUpperCase() !== 'HEAD') {
          let problem: { title?: unknown; status?: unknown };
          try {
            problem = JSON.parse(text);
          } catch {
            return `status ${answer.status}: a problem body that is not JSON: ${text.slice(0, 300)}`;
          }
          if (typeof problem.title !== 'string' || problem.title === '') {
            return `status ${answer.status}: a problem without a title: ${text.slice(0, 300)}`;
          }
          if (problem.status !== answer.status) {
            return `status ${answer.status}: a problem saying status ${String(problem.status)}`;
          }
        }
      }
      // The audit trail answers what earlier requests carried (their queue ids, paths): what it
      // reflects was sent by the fuzzer, not leaked by the server. Recognised by its answer, as
      // a path can reach it in many spellings (`//x/../../api/audit`).
      const reflectsEarlierRequests = answer.status === 200 && text.startsWith('{"entries":[');
      for (const pattern of reflectsEarlierRequests ? [] : leaks) {
        if (pattern.test(text) && !pattern.test(sentText)) {
          const at = text.search(pattern);
          return `the answer matches ${pattern}: …${text.slice(Math.max(0, at - 200), at + 200)}…`;
        }
      }
      return null;
    };

    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((r) => send(origin, agent, r)));
        stats.sent += batch.length;
        const problems: string[] = [];
        answers.forEach((answer, i) => {
          const req = batch[i]!;
          const key = answer.reset ? 'reset' : String(answer.status);
          stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
          if (answer.reset) stats.resets++;
          const problem = check(req, answer);
          if (problem) problems.push(`${describeRequest(req)}\n  -> ${problem}`);
        });
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true },
    );

    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.info(
      `[fuzz] ${stats.sent} requests in ${seconds} s; ${stats.fenced} possible mutations of seeded queues not generated; ` +
        `${stats.parserRejects} refused by node's parser; ${stats.resets} resets over the body limit; ` +
        `by status ${JSON.stringify(stats.byStatus)}`,
    );
    expect(stats.sent).toBeGreaterThanOrEqual(10_000);

    // Still up: a normal request is answered normally.
    const health = await send(origin, agent, {
      method: 'GET',
      path: '/api/overview',
      headers: {},
      body: null,
      chunked: false,
    });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString()).queues).toHaveLength(fixture.queueIds.length);

    // Nothing reached the prototypes.
    const fresh: Record<string, unknown> = {};
    const inherited: string[] = [];
    for (const key in fresh) inherited.push(key);
    expect(inherited).toEqual([]);
    expect(fresh.polluted).toBeUndefined();
    expect(fresh.isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototypeKeys);

    // No refused request changed anything.
    expect(await snapshot(fixture.admin.service)).toEqual(before);
  }, 600_000);
});
