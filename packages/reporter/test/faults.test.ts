/**
 * The reporter against a real node:http server whose answers each test
 * controls: batching, retries and backoff, Retry-After, refusals, a collector
 * that is down or hangs, the bounded buffer, bad input, close with a
 * deadline, commands, and timers that never keep a process alive.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createReporter,
  type Reporter,
  type ReporterCommand,
  type ReporterError,
  type ReporterOptions,
} from '../src/index';
import { FakeCollector, sleep, TOKEN, type WireEvent, waitFor } from './support';

let fake: FakeCollector;
let errors: ReporterError[];
const reporters: Reporter[] = [];

beforeEach(async () => {
  fake = await FakeCollector.start();
  errors = [];
});

afterEach(async () => {
  await Promise.all(reporters.splice(0).map((r) => r.close({ timeoutMs: 200 })));
  await fake.stop();
});

function reporterFor(options: Partial<ReporterOptions> = {}): Reporter {
  const reporter = createReporter({
    url: fake.url,
    token: TOKEN,
    flushIntervalMs: 5,
    retryBaseMs: 20,
    retryMaxMs: 200,
    heartbeatMs: 60_000,
    commandPollMs: 0,
    closeOnExit: false,
    onError: (error) => errors.push(error),
    ...options,
  });
  reporters.push(reporter);
  return reporter;
}

const jobIdsStored = () =>
  fake
    .jobEvents()
    .map((e) => e.jobId!)
    .sort((a, b) => Number(a) - Number(b));

describe('batching', () => {
  it('sends every event once, in batches of at most batchSize, with the bearer token', async () => {
    const reporter = reporterFor({ batchSize: 50 });
    for (let i = 0; i < 120; i++) reporter.queued('emails', i, { data: { n: i } });
    expect(await reporter.flush()).toBe(true);

    const requests = fake.eventRequests();
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      expect(request.events.length).toBeLessThanOrEqual(50);
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(jobIdsStored()).toEqual(Array.from({ length: 120 }, (_, i) => String(i)));
    const ids = requests.flatMap((r) => r.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    // `<reporter id>-<sequence>`: one prefix per reporter, increasing sequence numbers.
    const prefixes = new Set(ids.map((id) => id.split('-')[0]));
    expect(prefixes.size).toBe(1);
    const sequence = ids.map((id) => Number.parseInt(id.split('-')[1]!, 36));
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    const first = fake.jobEvents()[0]!;
    expect(first).toMatchObject({ type: 'queued', queue: 'emails', jobId: '0', data: { n: 0 } });
    expect(first.worker).toBe(reporter.workerId);
    expect(reporter.stats()).toMatchObject({ sent: 120 + fake.ofType('heartbeat').length });
    expect(reporter.stats().buffered).toBe(0);
  });

  it('announces the worker and the queues it serves in heartbeats', async () => {
    const reporter = reporterFor({ queues: ['emails'], workerName: 'mailer', concurrency: 4 });
    reporter.started('images', 'a');
    await reporter.flush();
    await waitFor('a heartbeat naming both queues', () =>
      fake.ofType('heartbeat').find((h) => (h.queues as string[]).includes('images')),
    );
    const heartbeat = fake.ofType('heartbeat').at(-1)!;
    expect(heartbeat).toMatchObject({
      worker: reporter.workerId,
      name: 'mailer',
      queues: ['emails', 'images'],
      pid: process.pid,
      concurrency: 4,
      activeJobs: 1,
    });
    expect(heartbeat.stopping).toBeUndefined();
  });

  it('sends a heartbeat every heartbeatMs', async () => {
    reporterFor({ heartbeatMs: 40 });
    await waitFor('three heartbeats', () => fake.ofType('heartbeat').length >= 3);
  });
});

describe('retries', () => {
  it('retries 500s with backoff and sends each event once they pass', async () => {
    let failures = 3;
    fake.answerEvents = () =>
      failures-- > 0 ? { status: 500, body: { title: 'boom' } } : 'accept';
    const reporter = reporterFor();
    reporter.completed('emails', '1', { result: 'ok' });
    expect(await reporter.flush()).toBe(true);
    expect(fake.eventRequests()).toHaveLength(4);
    expect(fake.ofType('completed')).toHaveLength(1);
    expect(reporter.stats()).toMatchObject({ retries: 3, dropped: 0 });
    expect(errors.filter((e) => e.kind === 'http').map((e) => e.status)).toEqual([500, 500, 500]);
    // Exponential: each pause at least half of retryBaseMs * 2^n.
    const at = fake.eventRequests().map((r) => r.at);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(10 + 20 + 40);
  });

  it.each([503, 429])('honours Retry-After on a %i', async (status) => {
    let first = true;
    fake.answerEvents = () => {
      if (!first) return 'accept';
      first = false;
      return { status, headers: { 'retry-after': '1' }, body: { title: 'later' } };
    };
    // Without Retry-After the next attempt would come 10-20 ms later.
    const reporter = reporterFor({ retryMaxMs: 5000 });
    reporter.started('emails', '1');
    expect(await reporter.flush()).toBe(true);
    const [a, b] = fake.eventRequests();
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
    expect(fake.ofType('started')).toHaveLength(1);
  });

  it('retries a 408 and connections the server resets', async () => {
    const answers: ('reset' | 'accept' | { status: number })[] = [
      'reset',
      { status: 408 },
      'accept',
    ];
    fake.answerEvents = () => answers.shift() ?? 'accept';
    const reporter = reporterFor();
    reporter.log('emails', '1', { message: 'hello' });
    expect(await reporter.flush()).toBe(true);
    expect(fake.ofType('log')).toHaveLength(1);
    expect(reporter.stats().retries).toBe(2);
    expect(errors.map((e) => e.kind)).toEqual(['network', 'http']);
  });

  it('abandons a request that hangs past timeoutMs and sends it again', async () => {
    let hung = 0;
    fake.answerEvents = () => (hung++ === 0 ? 'hang' : 'accept');
    const reporter = reporterFor({ timeoutMs: 200 });
    reporter.started('emails', '1');
    expect(await reporter.flush()).toBe(true);
    expect(fake.ofType('started')).toHaveLength(1);
    expect(reporter.stats().retries).toBe(1);
    expect(errors[0]!.message).toMatch(/no answer within 200 ms/);
  });

  it.each([401, 400, 404])(
    'drops a batch refused with %i, counts it, and does not loop',
    async (status) => {
      fake.answerEvents = () => ({ status, body: { title: 'nope', detail: 'no such token' } });
      const reporter = reporterFor();
      reporter.started('emails', '1');
      reporter.completed('emails', '1');
      expect(await reporter.flush()).toBe(true);
      await sleep(150);
      expect(fake.eventRequests()).toHaveLength(1);
      expect(reporter.stats()).toMatchObject({ sent: 0, dropped: 3, retries: 0 });
      expect(errors.find((e) => e.status === status)?.message).toMatch(/no such token/);
      // Later events are still sent: one refusal does not stop the reporter.
      fake.answerEvents = () => 'accept';
      reporter.failed('emails', '2', { error: new Error('x') });
      expect(await reporter.flush()).toBe(true);
      expect(fake.ofType('failed')).toHaveLength(1);
    },
  );

  it('counts events the collector rejects in a 200 answer and never resends them', async () => {
    let answered = false;
    fake.answerEvents = (request) => {
      if (answered) return 'accept';
      answered = true;
      return {
        status: 200,
        body: {
          accepted: request.events.length - 1,
          duplicates: 0,
          rejected: [{ index: 1, id: request.events[1]!.id, field: 'events[1].x', reason: 'bad' }],
        },
      };
    };
    const reporter = reporterFor();
    reporter.started('emails', '1');
    reporter.completed('emails', '1');
    expect(await reporter.flush()).toBe(true);
    await sleep(100);
    expect(fake.eventRequests()).toHaveLength(1);
    expect(reporter.stats()).toMatchObject({ rejected: 1, sent: 2, dropped: 0 });
    expect(errors.find((e) => e.kind === 'rejected')?.message).toMatch(/events\[1\]\.x bad/);
  });

  it('splits a batch the collector finds too large (413) until it fits', async () => {
    fake.answerEvents = (request) =>
      request.events.length > 8 ? { status: 413, body: { title: 'too large' } } : 'accept';
    const reporter = reporterFor({ batchSize: 40 });
    for (let i = 0; i < 40; i++) reporter.queued('emails', i);
    expect(await reporter.flush()).toBe(true);
    expect(jobIdsStored()).toHaveLength(40);
    expect(reporter.stats()).toMatchObject({ dropped: 0, rejected: 0 });
  });
});

describe('while the collector is away', () => {
  it('keeps the newest maxBuffered events, counts the dropped ones, and sends the rest once it is back', async () => {
    await fake.down();
    const reporter = reporterFor({ maxBuffered: 100, batchSize: 10 });
    for (let i = 0; i < 1000; i++) reporter.queued('emails', i);
    await waitFor('two failed attempts', () => reporter.stats().retries >= 2);
    for (let i = 1000; i < 1050; i++) reporter.queued('emails', i);
    const away = reporter.stats();
    expect(away.buffered).toBeLessThanOrEqual(100 + 10);
    expect(away.dropped).toBeGreaterThanOrEqual(1050 - 100 - 10);
    expect(errors.some((e) => e.kind === 'dropped')).toBe(true);
    expect(errors.some((e) => e.kind === 'network')).toBe(true);

    await fake.up();
    expect(await reporter.flush({ timeoutMs: 5000 })).toBe(true);
    const stored = jobIdsStored();
    const { dropped } = reporter.stats();
    // Nothing lost beyond the bound: what was not dropped arrived, once.
    expect(stored.length + dropped).toBe(1050);
    expect(new Set(stored).size).toBe(stored.length);
    // The newest maxBuffered events all made it.
    for (let i = 950; i < 1050; i++) expect(stored).toContain(String(i));
    expect(reporter.stats().buffered).toBe(0);
  });

  it('keeps report calls synchronous and fast while the collector hangs', async () => {
    fake.answerEvents = () => 'hang';
    const reporter = reporterFor({ maxBuffered: 1000, timeoutMs: 60_000 });
    reporter.started('emails', 'warm-up');
    await waitFor('a hanging request', () => fake.eventRequests().length === 1);
    const returned = new Set<unknown>();
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      returned.add(reporter.progress('emails', i, { progress: i % 100 }));
    }
    const elapsed = performance.now() - started;
    expect([...returned]).toEqual([undefined]);
    // 20,000 calls in well under the time of one network round trip each: nothing waited.
    expect(elapsed).toBeLessThan(2000);
    const stats = reporter.stats();
    expect(stats.buffered).toBeLessThanOrEqual(1000 + 200);
    expect(stats.dropped).toBeGreaterThanOrEqual(20_000 - 1000);
    expect(fake.eventRequests()).toHaveLength(1);
  });
});

describe('never throws into the worker', () => {
  it('refuses bad input without throwing: counted, reported, nothing sent for it', async () => {
    const reporter = reporterFor();
    const hostile = {
      get name(): string {
        throw new Error('getter explodes');
      },
    };
    const calls: (() => void)[] = [
      () => reporter.queued(undefined as unknown as string, '1'),
      () => reporter.queued('', '1'),
      () => reporter.started('emails', { id: 1 } as unknown as string),
      () => reporter.started('emails', ''),
      () => reporter.completed('x'.repeat(300), '1'),
      () => reporter.progress('emails', '1', { progress: 'half' as unknown as number }),
      () => reporter.progress('emails', '1', null as unknown as { progress: number }),
      () => reporter.log('emails', '1', { message: 42 as unknown as string }),
      () => reporter.failed('emails', '1', 'oops' as unknown as { error: unknown }),
      () => reporter.started('emails', '1', hostile as unknown as { name: string }),
    ];
    for (const call of calls) expect(call).not.toThrow();
    expect(reporter.stats().rejected).toBe(calls.length);
    expect(errors.filter((e) => e.kind === 'invalid')).toHaveLength(calls.length);
    expect(await reporter.flush()).toBe(true);
    expect(fake.jobEvents()).toHaveLength(0);
  });

  it('leaves out a bad optional field but sends the event', async () => {
    const reporter = reporterFor();
    reporter.queued('emails', '1', { attempt: 0, attemptsAllowed: -1, priority: Number.NaN });
    reporter.failed('emails', '1', { error: 'plain string', retryAt: 'soon' as unknown as number });
    expect(await reporter.flush()).toBe(true);
    const [queued, failed] = fake.jobEvents();
    expect(queued).toEqual(expect.not.objectContaining({ attempt: expect.anything() }));
    expect(queued!.attemptsAllowed).toBeUndefined();
    expect(failed).toMatchObject({ error: { message: 'plain string' } });
    expect(failed!.retryAt).toBeUndefined();
    expect(errors.filter((e) => e.kind === 'invalid').length).toBe(4);
  });

  it('sends data that is not JSON, or too long for the collector, as a marker', async () => {
    const reporter = reporterFor();
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    reporter.queued('emails', '1', { data: circular });
    reporter.completed('emails', '1', { result: { big: 10n } });
    reporter.started('emails', '2', { data: { text: 'x'.repeat(300_000) } });
    expect(await reporter.flush()).toBe(true);
    const byType = Object.fromEntries(fake.jobEvents().map((e) => [e.type, e]));
    expect(byType.queued!.data).toMatchObject({ qadminReporter: 'unserializable' });
    expect(byType.completed!.result).toMatchObject({ qadminReporter: 'unserializable' });
    expect(byType.started!.data).toMatchObject({ qadminReporter: 'too-large' });
    expect(reporter.stats()).toMatchObject({ rejected: 0, dropped: 0 });
  });

  it('survives a fetch that throws synchronously and an onError that throws', async () => {
    let calls = 0;
    const reporter = reporterFor({
      fetch: ((...args: Parameters<typeof fetch>) => {
        if (calls++ < 2) throw new TypeError('fetch exploded');
        return fetch(...args);
      }) as typeof fetch,
      onError: () => {
        throw new Error('onError exploded too');
      },
    });
    expect(() => reporter.started('emails', '1')).not.toThrow();
    expect(await reporter.flush()).toBe(true);
    expect(fake.ofType('started')).toHaveLength(1);
    expect(reporter.stats().retries).toBe(2);
  });

  it('refuses bad options when it is created, not later', () => {
    expect(() => createReporter({ url: 'not a url', token: TOKEN })).toThrow(TypeError);
    expect(() => createReporter({ url: 'ftp://x', token: TOKEN })).toThrow(/http/);
    expect(() => createReporter({ url: fake.url, token: '' })).toThrow(/token/);
    expect(() => createReporter({ url: fake.url, token: TOKEN, batchSize: -1 })).toThrow(
      /batchSize/,
    );
  });
});

describe('close', () => {
  it('sends what is buffered and a last heartbeat with stopping: true, then stops everything', async () => {
    const reporter = reporterFor({ heartbeatMs: 30, flushIntervalMs: 10_000 });
    for (let i = 0; i < 5; i++) reporter.completed('emails', i);
    await reporter.close();
    expect(jobIdsStored()).toEqual(['0', '1', '2', '3', '4']);
    const last = fake.ofType('heartbeat').at(-1)!;
    expect(last.stopping).toBe(true);
    const requests = fake.requests.length;
    reporter.started('emails', 'late');
    await sleep(150);
    expect(fake.requests.length).toBe(requests);
    expect(reporter.stats()).toMatchObject({ dropped: 1, buffered: 0 });
    expect(reporter.close()).toBe(reporter.close());
  });

  it('gives up at the deadline when the collector hangs, counting what was not sent', async () => {
    fake.answerEvents = () => 'hang';
    const reporter = reporterFor({ timeoutMs: 60_000 });
    for (let i = 0; i < 10; i++) reporter.queued('emails', i);
    await waitFor('a hanging request', () => fake.eventRequests().length === 1);
    const started = Date.now();
    await reporter.close({ timeoutMs: 300 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    expect(reporter.stats()).toMatchObject({ sent: 0, buffered: 0 });
    expect(reporter.stats().dropped).toBe(12);
  });

  it('cuts a long backoff short to try once more before the deadline', async () => {
    let failures = 1;
    fake.answerEvents = () =>
      failures-- > 0 ? { status: 503, headers: { 'retry-after': '60' } } : 'accept';
    const reporter = reporterFor({ retryMaxMs: 60_000 });
    reporter.completed('emails', '1');
    await waitFor('the first refusal', () => reporter.stats().retries === 1);
    const started = Date.now();
    await reporter.close({ timeoutMs: 3000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.ofType('completed')).toHaveLength(1);
    expect(fake.ofType('heartbeat').at(-1)!.stopping).toBe(true);
  });
});

describe('timers', () => {
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

  /** Runs `code` (an ES module with `createReporter` imported) in a child; resolves with its exit and time. */
  function runChild(code: string): Promise<{ code: number | null; ms: number; stderr: string }> {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createReporter } from ${JSON.stringify(dist)};\n${code}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    return new Promise((resolve) => {
      child.on('exit', (exit) => {
        clearTimeout(killer);
        resolve({ code: exit, ms: Date.now() - started, stderr });
      });
    });
  }

  it('never keep a process alive: a child that only creates a reporter exits by itself', async () => {
    const result = await runChild(
      `createReporter({ url: ${JSON.stringify(fake.url)}, token: 't', heartbeatMs: 50, commandPollMs: 50, onCommand: async () => {}, queues: ['q'], closeOnExit: false });`,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(5000);
  });

  it('flush on exit: a child that reports and ends sends its events and a stopping heartbeat', async () => {
    const result = await runChild(
      `const r = createReporter({ url: ${JSON.stringify(fake.url)}, token: 't', flushIntervalMs: 60000 });
       for (let i = 0; i < 3; i++) r.completed('emails', String(i));`,
    );
    expect(result.code).toBe(0);
    expect(jobIdsStored()).toEqual(['0', '1', '2']);
    expect(fake.ofType('heartbeat').at(-1)!.stopping).toBe(true);
  });

  it('a child whose collector is unreachable still exits by itself', async () => {
    await fake.down();
    const result = await runChild(
      `const r = createReporter({ url: ${JSON.stringify(fake.url)}, token: 't', onError: () => {} });
       r.started('emails', '1');`,
    );
    expect(result.code).toBe(0);
    // closeOnExit tries for at most 2 s.
    expect(result.ms).toBeLessThan(6000);
  });
});

describe('commands', () => {
  const command = (id: string, over: Partial<ReporterCommand> = {}): ReporterCommand => ({
    id,
    type: 'retry',
    queue: 'emails',
    jobId: '42',
    name: 'send',
    data: { to: 'a@example.com' },
    attempt: 2,
    createdAt: Date.now(),
    ...over,
  });
  const results = () => fake.ofType('command-result');

  it('polls for the queues it serves and runs each command once, even when offered again while it runs', async () => {
    fake.answerCommands = () => ({ status: 200, body: { commands: [command('c1')] } });
    const runs: ReporterCommand[] = [];
    let release!: () => void;
    const finished = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reporter = reporterFor({
      queues: ['emails', 'images'],
      commandPollMs: 20,
      onCommand: async (c) => {
        runs.push(c);
        await finished;
        return 'retried as attempt 3';
      },
    });
    await waitFor(
      'several polls',
      () => fake.requests.filter((r) => r.method === 'GET').length >= 4,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: 'c1', type: 'retry', jobId: '42', attempt: 2 });
    const poll = fake.requests.find((r) => r.method === 'GET')!;
    expect(poll.query.get('worker')).toBe(reporter.workerId);
    expect(poll.query.get('queues')).toBe('emails,images');
    expect(poll.authorization).toBe(`Bearer ${TOKEN}`);

    release();
    const [result] = await waitFor('the command result', () =>
      results().length ? results() : null,
    );
    expect(result).toMatchObject({
      worker: reporter.workerId,
      commandId: 'c1',
      ok: true,
      message: 'retried as attempt 3',
    });
    // Offered again after the answer went out (the collector lost it): answered again, not run again.
    await waitFor('the result sent again', () => results().length >= 2);
    expect(runs).toHaveLength(1);
  });

  it('answers ok: false with the error of a handler that fails', async () => {
    let offered = false;
    fake.answerCommands = () => {
      const commands = offered ? [] : [command('c2', { type: 'cancel' })];
      offered = true;
      return { status: 200, body: { commands } };
    };
    reporterFor({
      queues: ['emails'],
      commandPollMs: 20,
      onCommand: async () => {
        throw new Error('job is running');
      },
    });
    const [result] = await waitFor('the command result', () =>
      results().length ? results() : null,
    );
    expect(result).toMatchObject({ commandId: 'c2', ok: false, message: 'job is running' });
    expect(errors.find((e) => e.kind === 'command')?.message).toMatch(/job is running/);
  });

  it('does not poll without onCommand, or with commandPollMs 0', async () => {
    reporterFor({ queues: ['emails'], commandPollMs: 20 });
    reporterFor({ queues: ['emails'], commandPollMs: 0, onCommand: async () => {} });
    await sleep(150);
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('waits for a running command at close and sends its result', async () => {
    fake.answerCommands = () => ({ status: 200, body: { commands: [command('c3')] } });
    const reporter = reporterFor({
      queues: ['emails'],
      commandPollMs: 20,
      onCommand: () => sleep(200).then(() => 'done'),
    });
    await waitFor('the command taken', () => fake.requests.some((r) => r.method === 'GET'));
    await sleep(30);
    await reporter.close({ timeoutMs: 3000 });
    expect(results()).toMatchObject([{ commandId: 'c3', ok: true, message: 'done' }]);
  });
});

describe('instrument', () => {
  it('reports started and completed around a job and returns its result', async () => {
    const reporter = reporterFor();
    const send = reporter.instrument(
      'emails',
      'send',
      async function (this: { prefix: string }, job: { id: number; to: string; attempt: number }) {
        return `${this.prefix}${job.to}`;
      },
      { jobId: (job) => job.id, attempt: (job) => job.attempt },
    );
    const result = await send.call({ prefix: 'sent to ' }, { id: 7, to: 'a@b', attempt: 2 });
    expect(result).toBe('sent to a@b');
    await reporter.flush();
    const events = fake.jobEvents();
    expect(events.map((e) => e.type)).toEqual(['started', 'completed']);
    expect(events[0]).toMatchObject({
      queue: 'emails',
      jobId: '7',
      name: 'send',
      attempt: 2,
      data: { id: 7, to: 'a@b', attempt: 2 },
    });
    expect(events[1]).toMatchObject({ jobId: '7', attempt: 2, result: 'sent to a@b' });
  });

  it('rethrows the very error the job threw and reports its message and stack', async () => {
    const reporter = reporterFor();
    const thrown = new RangeError('SMTP said no');
    const send = reporter.instrument(
      'emails',
      'send',
      async (_to: string) => {
        throw thrown;
      },
      { willRetry: (error) => error instanceof RangeError },
    );
    await expect(send('a@b')).rejects.toBe(thrown);
    const plain = reporter.instrument('emails', 'plain', () => {
      throw 'a string';
    });
    await expect(plain()).rejects.toBe('a string');
    await reporter.flush();
    const failed = fake.ofType('failed') as (WireEvent & {
      error: { message: string; stack?: string };
    })[];
    expect(failed).toHaveLength(2);
    expect(failed[0]!.error.message).toBe('SMTP said no');
    expect(failed[0]!.error.stack).toMatch(/RangeError: SMTP said no\n\s+at /);
    expect(failed[0]!.willRetry).toBe(true);
    expect(failed[1]).toMatchObject({ name: 'plain', error: { message: 'a string' } });
    expect(failed[1]!.willRetry).toBeUndefined();
    // Without a jobId function each call is a job of its own.
    expect(new Set(fake.jobEvents().map((e) => e.jobId)).size).toBe(2);
  });

  it('passes a job through unchanged when the collector is down', async () => {
    await fake.down();
    const reporter = reporterFor();
    const double = reporter.instrument('math', 'double', async (n: number) => n * 2);
    const results = await Promise.all([1, 2, 3].map((n) => double(n)));
    expect(results).toEqual([2, 4, 6]);
  });
});
