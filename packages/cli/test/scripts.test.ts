/**
 * The commands for scripts (`queues`, `jobs`, `job`, `retry`, `remove`,
 * `promote`, `retry-all`, `clean`), run as built child processes against a
 * real `qadmin serve` over BullMQ queues in the throwaway Redis (whose jobs
 * this file controls) and the demo (whose `emails` makes a name ambiguous).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDuration } from '../src/commands/args';
import { displayWidth, formatAge, renderTable, sanitize, toJson } from '../src/commands/format';
import { startProgress } from '../src/commands/progress';
import { UsageError } from '../src/errors';
import { BIN, runQadmin, type Served, startServe } from './qadmin';

const TOKENS = {
  viewer: 'viewer-token-0123456789abcdefghij',
  operator: 'operator-token-0123456789abcdefgh',
  admin: 'admin-token-0123456789abcdefghijkl',
};
type Role = keyof typeof TOKENS;

const prefix = `cliscripts${process.pid}`;
let served: Served;
let billing: Queue;
let emails: Queue;
/** 2,500 waiting jobs: more than a page of the API, and than a batch of clean. */
let bulk: Queue;
/** Ids of the seeded jobs, by what they are. */
const ids = {
  failed: [] as string[],
  acme: [] as string[],
  delayed: [] as string[],
  waiting: [] as string[],
};

/** `qadmin <args>` against the dashboard (QADMIN_URL), with a role's token (QADMIN_TOKEN). */
function qadmin(
  args: string[],
  role: Role | null = 'viewer',
  extra: { stdin?: string; env?: Record<string, string> } = {},
) {
  return runQadmin(args, {
    env: {
      QADMIN_URL: served.url,
      ...(role !== null && { QADMIN_TOKEN: TOKENS[role] }),
      ...extra.env,
    },
    ...(extra.stdin !== undefined && { stdin: extra.stdin }),
  });
}

/** The value under `header` in the row starting with `first`: right-aligned cells end where their header ends. */
function cell(
  table: string,
  first: string,
  header: string,
  align: 'left' | 'right' = 'right',
): string {
  const [head, ...rows] = table.trimEnd().split('\n');
  const row = rows.find((line) => line.startsWith(`${first} `));
  expect(row, `a row for ${first} in\n${table}`).toBeDefined();
  const start = head!.indexOf(header);
  expect(start, `a ${header} column`).toBeGreaterThanOrEqual(0);
  if (align === 'right') {
    const end = start + header.length;
    expect(row!.charAt(end) === '' || row!.charAt(end) === ' ').toBe(true);
    return row!.slice(0, end).split(/\s+/).at(-1)!;
  }
  return row!.slice(start).split(/\s{2,}/)[0]!;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const connection = { url: inject('redisUrl') };
  billing = new Queue('billing', { connection, prefix });
  emails = new Queue('emails', { connection, prefix });
  const customers = ['acme-1', 'globex-1', 'acme-2', 'globex-2'];
  for (const customer of customers) await billing.add('charge', { customer, cents: 1200 });
  for (const n of [1, 2, 3]) await billing.add('receipt', { n });
  // A worker fails the charges and completes the receipts, then leaves.
  const worker = new Worker(
    'billing',
    async (job: Job) => {
      if (job.name === 'charge') throw new Error(`card declined for ${job.data.customer}`);
      return { sent: true };
    },
    { connection, prefix, concurrency: 1 },
  );
  const until = Date.now() + 20_000;
  for (;;) {
    const counts = await billing.getJobCounts('failed', 'completed');
    if (counts.failed === 4 && counts.completed === 3) break;
    if (Date.now() > until) throw new Error(`seeding stalled at ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await worker.close();
  const failed = await billing.getFailed();
  ids.failed = failed.map((job) => job.id!);
  ids.acme = failed.filter((job) => job.data.customer.startsWith('acme')).map((job) => job.id!);
  for (const n of [1, 2]) {
    ids.delayed.push((await billing.add('reminder', { n }, { delay: 3_600_000 })).id!);
    ids.waiting.push((await billing.add('invoice', { n })).id!);
  }
  await emails.add('welcome', { to: 'ana@example.com' });
  bulk = new Queue('bulk', { connection, prefix });
  for (let start = 0; start < 2500; start += 500) {
    await bulk.addBulk(
      Array.from({ length: 500 }, (_, i) => ({ name: 'row', data: { n: start + i } })),
    );
  }

  const cwd = mkdtempSync(join(tmpdir(), 'qadmin-scripts-'));
  writeFileSync(
    join(cwd, 'qadmin.config.json'),
    JSON.stringify({
      demo: true,
      redis: [{ url: inject('redisUrl'), prefix: [prefix] }],
      auth: {
        tokens: (Object.keys(TOKENS) as Role[]).map((role) => ({
          name: role,
          token: TOKENS[role],
          role,
        })),
      },
    }),
  );
  served = await startServe(['--port', '0'], { cwd });
});

afterAll(async () => {
  await served?.stop();
  for (const queue of [billing, emails, bulk]) {
    await queue?.obliterate({ force: true });
    await queue?.close();
  }
});

describe('qadmin queues', () => {
  it('prints the counts of every queue in an aligned table', async () => {
    const result = await qadmin(['queues']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const header = result.stdout.split('\n')[0]!;
    expect(header).toMatch(/^QUEUE +WAITING +DELAYED +ACTIVE +COMPLETED +FAILED +WORKERS +STATUS$/);
    expect(cell(result.stdout, 'bullmq:billing', 'WAITING')).toBe('2');
    expect(cell(result.stdout, 'bullmq:billing', 'DELAYED')).toBe('2');
    expect(cell(result.stdout, 'bullmq:billing', 'COMPLETED')).toBe('3');
    expect(cell(result.stdout, 'bullmq:billing', 'FAILED')).toBe('4');
    expect(cell(result.stdout, 'bullmq:billing', 'STATUS', 'left')).toBe('running');
    expect(result.stdout).toMatch(/^memory:emails /m);
    expect(result.stdout).toMatch(/^bullmq:emails /m);
    // No line ends in padding.
    for (const line of result.stdout.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('--json prints the overview document', async () => {
    const result = await qadmin(['queues', '--json']);
    expect(result.code).toBe(0);
    const overview = JSON.parse(result.stdout) as {
      queues: { id: string; counts: Record<string, number> }[];
      backends: { ok: boolean }[];
    };
    const row = overview.queues.find((queue) => queue.id === 'bullmq:billing');
    expect(row?.counts).toMatchObject({ waiting: 2, delayed: 2, completed: 3, failed: 4 });
    expect(overview.backends.every((backend) => backend.ok)).toBe(true);
  });
});

describe('qadmin jobs', () => {
  it('lists the jobs in a state by bare queue name, with why they failed', async () => {
    const result = await qadmin(['jobs', 'billing', '--state', 'failed']);
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +NAME +ATTEMPTS +CREATED +FINISHED +REASON$/);
    expect(rows).toHaveLength(4);
    for (const row of rows)
      expect(row).toMatch(/ charge +1\/1 +\d+[smhd] ago +\d+[smhd] ago +card declined for /);
    expect(new Set(rows.map((row) => row.split(' ')[0]))).toEqual(new Set(ids.failed));
    expect(result.stderr).toBe('4 failed jobs in bullmq:billing\n');
  });

  it('pages with --limit and --cursor, and --all fetches every page', async () => {
    const first = await qadmin(['jobs', 'billing', '--state', 'failed', '--limit', '3']);
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(4);
    const cursor = /--cursor (\S+)$/m.exec(first.stderr)?.[1];
    expect(first.stderr).toMatch(
      /^3 of 4 failed jobs in bullmq:billing; more with --cursor \S+\n$/,
    );
    const next = await qadmin([
      'jobs',
      'billing',
      '--state',
      'failed',
      '--cursor',
      cursor!,
      '--json',
    ]);
    expect(next.code).toBe(0);
    const page = JSON.parse(next.stdout) as { jobs: { id: string }[]; nextCursor: string | null };
    expect(page.jobs).toHaveLength(1);
    expect(page.nextCursor).toBeNull();
    const shown = first.stdout
      .split('\n')
      .slice(1, 4)
      .map((row) => row.split(' ')[0]);
    expect(new Set([...shown, page.jobs[0]!.id])).toEqual(new Set(ids.failed));

    const all = await qadmin([
      'jobs',
      'bullmq:billing',
      '--state',
      'failed',
      '--all',
      '--json',
      '--order',
      'oldest',
    ]);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    const everything = JSON.parse(all.stdout) as {
      queueId: string;
      state: string;
      jobs: { id: string; createdAt: number }[];
      nextCursor: null;
    };
    expect(everything).toMatchObject({
      queueId: 'bullmq:billing',
      state: 'failed',
      nextCursor: null,
    });
    expect(everything.jobs.map((job) => job.id).sort()).toEqual([...ids.failed].sort());
    const created = everything.jobs.map((job) => job.createdAt);
    expect(created).toEqual([...created].sort((a, b) => a - b));

    const limited = JSON.parse(
      (await qadmin(['jobs', 'billing', '--state', 'failed', '--limit', '2', '--json'])).stdout,
    ) as { jobs: unknown[]; nextCursor: string | null };
    expect(limited.jobs).toHaveLength(2);
    expect(limited.nextCursor).toEqual(expect.any(String));
  });

  it("--limit and --all go past the API's page size, page by page", async () => {
    const many = await qadmin(['jobs', 'bulk', '--state', 'waiting', '--limit', '120']);
    expect(many.code).toBe(0);
    expect(many.stdout.trimEnd().split('\n')).toHaveLength(121);
    expect(many.stderr).toMatch(
      /^120 of 2,500 waiting jobs in bullmq:bulk; more with --cursor \S+\n$/,
    );
    const all = JSON.parse(
      (await qadmin(['jobs', 'bulk', '--state', 'waiting', '--all', '--json'])).stdout,
    ) as { jobs: { id: string }[]; total: number; nextCursor: null };
    expect(all.jobs).toHaveLength(2500);
    expect(new Set(all.jobs.map((job) => job.id)).size).toBe(2500);
    expect(all).toMatchObject({ total: 2500, nextCursor: null });
  });

  it('--search finds jobs by text, in the fields of --in; --name filters by name', async () => {
    const inError = await qadmin([
      'jobs',
      'billing',
      '--state',
      'failed',
      '--search',
      'acme',
      '--in',
      'error',
    ]);
    expect(inError.code).toBe(0);
    expect(
      inError.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split(' ')[0])
        .sort(),
    ).toEqual([...ids.acme].sort());
    expect(inError.stderr).toMatch(
      /^2 failed jobs in bullmq:billing matching "acme" in error \(looked at \d+ jobs\)\n$/,
    );

    const inData = JSON.parse(
      (
        await qadmin([
          'jobs',
          'billing',
          '--state',
          'failed',
          '--search',
          'ACME',
          '--in',
          'data',
          '--json',
        ])
      ).stdout,
    ) as {
      jobs: { id: string }[];
      search: { text: string; fields: string[]; exhausted: boolean };
    };
    expect(inData.jobs.map((job) => job.id).sort()).toEqual([...ids.acme].sort());
    expect(inData.search).toMatchObject({ text: 'ACME', fields: ['data'], exhausted: true });

    const none = await qadmin(['jobs', 'billing', '--state', 'failed', '--search', 'initech']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^no failed jobs in bullmq:billing matching "initech"/);

    const named = JSON.parse(
      (await qadmin(['jobs', 'billing', '--state', 'waiting', '--name', 'invoice', '--json']))
        .stdout,
    ) as { jobs: { id: string }[] };
    expect(named.jobs.map((job) => job.id).sort()).toEqual([...ids.waiting].sort());
  });

  it('shows when delayed jobs run', async () => {
    const result = await qadmin(['jobs', 'billing', '--state', 'delayed']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^ID +NAME +ATTEMPTS +CREATED +RUNS +DATA$/);
    expect(result.stdout).toMatch(/ reminder +0(\/1)? +\d+s ago +in (59m|1h) +\{"n":1\}/);
  });

  it('takes a queue id where a name is ambiguous, and says so (exit 2)', async () => {
    const ambiguous = await qadmin(['jobs', 'emails', '--state', 'waiting']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /^qadmin jobs: "emails" names several queues: (memory:emails, bullmq:emails|bullmq:emails, memory:emails); give the queue id\n$/,
    );
    expect(ambiguous.stdout).toBe('');
    const byId = await qadmin(['jobs', 'bullmq:emails', '--state', 'waiting', '--json']);
    expect(byId.code).toBe(0);
    expect((JSON.parse(byId.stdout) as { jobs: unknown[] }).jobs).toHaveLength(1);
  });

  it('an unknown queue, or a state the backend lacks, is a failure naming it (exit 1)', async () => {
    const unknown = await qadmin(['jobs', 'nope', '--state', 'failed']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^qadmin jobs: unknown queue "nope" at http:\/\/127\.0\.0\.1:\d+\/ \(queues: .*bullmq:billing.*\)\n$/,
    );
    const state = await qadmin(['jobs', 'billing', '--state', 'cancelled']);
    expect(state.code).toBe(1);
    expect(state.stderr).toMatch(
      /^qadmin jobs: cannot list cancelled jobs of bullmq:billing: Invalid query\.state: must be one of .* \(HTTP 400\)\n$/,
    );
  });
});

describe('qadmin job', () => {
  it('shows a job: fields, data, stack trace; --json the API document', async () => {
    const id = ids.acme[0]!;
    const result = await qadmin(['job', 'billing', id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`job ${id} of bullmq:billing\n`);
    expect(result.stdout).toMatch(/^state +failed$/m);
    expect(result.stdout).toMatch(/^attempts +1 of 1$/m);
    expect(result.stdout).toMatch(/^created +\d{4}-\d\d-\d\dT\S+Z \(\d+[smhd] ago\)$/m);
    expect(result.stdout).toMatch(/^failed reason +card declined for acme-\d$/m);
    expect(result.stdout).toMatch(
      /\ndata:\n\{\n {2}"customer": "acme-\d",\n {2}"cents": 1200\n\}\n/,
    );
    expect(result.stdout).toMatch(/\nstack trace:\nError: card declined for acme-\d\n +at /);

    const json = JSON.parse(
      (await qadmin(['job', 'bullmq:billing', id, '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(json).toMatchObject({ id, queueId: 'bullmq:billing', state: 'failed', name: 'charge' });
  });

  it('an unknown job is a failure with the server problem (exit 1)', async () => {
    const result = await qadmin(['job', 'billing', 'no-such-job']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'qadmin job: cannot read job no-such-job of bullmq:billing: Unknown job: No job with id "no-such-job" (HTTP 404)\n',
    );
    expect(result.stdout).toBe('');
  });
});

describe('qadmin retry, remove and promote', () => {
  it('need the operator role: a viewer is refused in one line (exit 1)', async () => {
    const result = await qadmin(['retry', 'billing', ids.failed[0]!], 'viewer');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^qadmin retry: cannot retry job \S+ in bullmq:billing: Not allowed: job\.retry needs the operator role; viewer is viewer \(HTTP 403\)\n$/,
    );
    expect(result.stdout).toBe('');
  });

  it('retry goes on past a job that fails, reports it, and exits 1', async () => {
    const [a, b] = ids.acme;
    const result = await qadmin(['retry', 'billing', a!, 'no-such-job', b!], 'operator');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('retried 2 of 3 jobs in bullmq:billing; 1 failed\n');
    expect(result.stderr).toBe(
      'qadmin retry: job no-such-job: Unknown job: No job with id "no-such-job" (HTTP 404)\n',
    );
    for (const id of [a!, b!]) {
      const job = JSON.parse((await qadmin(['job', 'billing', id, '--json'])).stdout) as {
        state: string;
      };
      expect(job.state).toBe('waiting');
    }
  });

  it('--json reports each job; a job in the wrong state is a conflict', async () => {
    const result = await qadmin(['retry', 'billing', ids.acme[0]!, '--json'], 'operator');
    // Already retried: it waits, and waiting jobs are not retried.
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      succeeded: number;
      failed: number;
      results: { id: string; ok: boolean; status: number; error: string }[];
    };
    expect(report).toMatchObject({
      queueId: 'bullmq:billing',
      action: 'retry',
      succeeded: 0,
      failed: 1,
    });
    expect(report.results[0]).toMatchObject({ id: ids.acme[0], ok: false, status: 409 });
    expect(result.stderr).toMatch(
      /^qadmin retry: cannot retry job \S+ in bullmq:billing: Action not possible in this state: .*\(HTTP 409\)\n$/,
    );
  });

  it('promote reads ids from standard input with -, and says what became of a single job', async () => {
    const [first, second] = ids.delayed;
    const one = await qadmin(['promote', 'billing', first!], 'operator');
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`promoted job ${first} in bullmq:billing (now waiting)\n`);
    const piped = await qadmin(['promote', 'billing', '-', '--json'], 'operator', {
      stdin: `${second}\n`,
    });
    expect(piped.code).toBe(0);
    const report = JSON.parse(piped.stdout) as {
      succeeded: number;
      results: { id: string; job: { state: string } }[];
    };
    expect(report.succeeded).toBe(1);
    expect(report.results[0]).toMatchObject({ id: second, ok: true, job: { state: 'waiting' } });
  });

  it('remove removes, and the job is gone', async () => {
    const id = ids.waiting[0]!;
    const result = await qadmin(['remove', 'bullmq:billing', id], 'operator');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`removed job ${id} from bullmq:billing\n`);
    expect((await qadmin(['job', 'billing', id])).code).toBe(1);
  });
});

describe('qadmin retry-all and clean', () => {
  it('need the admin role', async () => {
    const result = await qadmin(['retry-all', 'billing'], 'operator');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^qadmin retry-all: cannot retry the failed jobs of bullmq:billing: Not allowed: queue\.retry-all needs the admin role; operator is operator \(HTTP 403\)\n$/,
    );
  });

  it('retry-all retries every failed job, with a summary and no progress bar when piped', async () => {
    const before = JSON.parse(
      (await qadmin(['jobs', 'billing', '--state', 'failed', '--all', '--json'])).stdout,
    ) as { jobs: unknown[] };
    expect(before.jobs).toHaveLength(2);
    const result = await qadmin(['retry-all', 'billing'], 'admin');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('retried 2 failed jobs in bullmq:billing\n');
    expect(result.stderr).toBe('');
    const again = await qadmin(['retry-all', 'billing', '--json'], 'admin');
    expect(JSON.parse(again.stdout)).toEqual({
      queueId: 'bullmq:billing',
      action: 'retry-all',
      state: 'failed',
      affected: 0,
    });
  });

  it('clean removes jobs older than --older-than, at most --limit, in batches', async () => {
    const young = await qadmin(
      ['clean', 'billing', '--state', 'completed', '--older-than', '1h'],
      'admin',
    );
    expect(young.code).toBe(0);
    expect(young.stdout).toBe('removed 0 completed jobs older than 1h from bullmq:billing\n');
    const one = await qadmin(
      ['clean', 'billing', '--state', 'completed', '--limit', '1', '--json'],
      'admin',
    );
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({
      queueId: 'bullmq:billing',
      action: 'clean',
      state: 'completed',
      olderThanMs: 0,
      limit: 1,
      affected: 1,
    });
    const rest = await qadmin(
      ['clean', 'billing', '--state', 'completed', '--older-than', '0'],
      'admin',
    );
    expect(rest.code).toBe(0);
    expect(rest.stdout).toBe('removed 2 completed jobs from bullmq:billing\n');
    expect(rest.stderr).toBe('');
    const left = JSON.parse(
      (await qadmin(['jobs', 'billing', '--state', 'completed', '--json'])).stdout,
    ) as { jobs: unknown[] };
    expect(left.jobs).toHaveLength(0);
  });

  it('clean works through a large queue in batches, each in the audit trail', async () => {
    const result = await qadmin(['clean', 'bulk', '--state', 'waiting'], 'admin');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('removed 2,500 waiting jobs from bullmq:bulk\n');
    const audit = (await (
      await fetch(`${served.url}api/audit?limit=100`, {
        headers: { authorization: `Bearer ${TOKENS.admin}` },
      })
    ).json()) as { entries: { action: string; queueId: string; affected: number | null }[] };
    const batches = audit.entries
      .filter((entry) => entry.queueId === 'bullmq:bulk' && entry.action === 'queue.clean')
      .map((entry) => entry.affected);
    // Newest first: 1,000, 1,000, then the 500 left (fewer than a batch: done).
    expect(batches).toEqual([500, 1000, 1000]);
  });

  it('on a terminal, bulk work draws on stderr, then prints its summary and exits', async () => {
    // util-linux `script` runs the command on a pseudo-terminal, as a person would.
    const command = [process.execPath, BIN, 'retry-all', 'billing']
      .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, QADMIN_URL: served.url, QADMIN_TOKEN: TOKENS.admin, TERM: 'xterm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('error', (error) => {
      output += `cannot run script(1) from util-linux: ${error}`;
    });
    const [code] = (await once(child, 'close')) as [number | null];
    expect(output).toMatch(/retried 0 failed jobs in bullmq:billing\r?\n/);
    expect(code).toBe(0);
  });

  it('refuses a state the backend cannot clean, with the server reason', async () => {
    const result = await qadmin(['clean', 'billing', '--state', 'active'], 'admin');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^qadmin clean: cannot clean the active jobs of bullmq:billing: Invalid body\.state: clean accepts .* \(HTTP 400\)\n$/,
    );
  });
});

describe('connection failures (exit 1, one line)', () => {
  it('no token, a bad token', async () => {
    const none = await qadmin(['queues'], null);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'qadmin queues: cannot read the list of queues: Login required: Log in, or send a bearer token (HTTP 401); give a token with --token or QADMIN_TOKEN\n',
    );
    const bad = await qadmin(
      ['jobs', 'billing', '--state', 'failed', '--token', 'x'.repeat(32)],
      null,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'qadmin jobs: cannot read the list of queues: Invalid token: The bearer token matches none this dashboard knows (HTTP 401)\n',
    );
    expect(bad.stdout).toBe('');
  });

  it('an unreachable dashboard, and a URL without the base path', async () => {
    const port = await closedPort();
    const down = await qadmin(['queues', '--url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `qadmin queues: cannot read the list of queues: cannot reach the dashboard at http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    const wrongPath = await qadmin(['queues', '--url', `${served.url}ops`]);
    expect(wrongPath.code).toBe(1);
    expect(wrongPath.stderr).toMatch(
      /\(HTTP 404\); is http:\/\/127\.0\.0\.1:\d+\/ops\/ the dashboard's address, with its base path\?\n$/,
    );
  });

  it('--url and --token win over QADMIN_URL and QADMIN_TOKEN', async () => {
    const port = await closedPort();
    const result = await runQadmin(['queues', '--url', served.url, '--token', TOKENS.viewer], {
      env: { QADMIN_URL: `http://127.0.0.1:${port}`, QADMIN_TOKEN: 'y'.repeat(32) },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bullmq:billing');
  });
});

describe('bad usage (exit 2, one line, nothing sent)', () => {
  const cases: [string[], RegExp][] = [
    [['jobs'], /^qadmin jobs: give <queue> \(see qadmin jobs --help\)\n$/],
    [['jobs', 'billing'], /give --state: failed, completed, waiting/],
    [['jobs', 'billing', '--state', 'faild'], /--state must be one of waiting, .*, not "faild"/],
    [
      ['jobs', 'billing', '--state', 'failed', '--limit', '0'],
      /--limit must be a whole number of at least 1, not "0"/,
    ],
    [
      ['jobs', 'billing', '--state', 'failed', '--all', '--limit', '5'],
      /give --limit or --all, not both/,
    ],
    [['jobs', 'billing', '--state', 'failed', '--in', 'data'], /--in needs --search/],
    [
      ['jobs', 'billing', '--state', 'failed', '--search', 'x', '--in', 'body'],
      /--in takes fields among name, data, error/,
    ],
    [
      ['jobs', 'billing', '--state', 'failed', '--order', 'random'],
      /--order must be newest or oldest/,
    ],
    [['job', 'billing'], /give <id>/],
    [['retry', 'billing'], /give at least one <id>/],
    [['retry', 'billing', '-', '7'], /give - \(ids from standard input\) alone/],
    [['retry-all', 'billing', '--state', 'nope'], /--state must be one of/],
    [['clean', 'billing'], /give --state: completed, failed/],
    [
      ['clean', 'billing', '--state', 'completed', '--older-than', '7x'],
      /--older-than must be a number with a unit: 30s, 15m, 12h, 7d, 2w \(or 0\), not "7x"/,
    ],
    [
      ['clean', 'billing', '--state', 'completed', '--older-than', '7'],
      /--older-than must be a number with a unit/,
    ],
    [['queues', '--bogus'], /unknown flag --bogus \(see qadmin queues --help\)/],
    [['queues', 'extra'], /unexpected argument "extra"/],
    [['queues', '--token'], /--token needs a value/],
    [
      ['queues', '--url', 'ftp://example.com'],
      /--url must be an http:\/\/ or https:\/\/ URL, not "ftp:\/\/example\.com"/,
    ],
    [['queues', '--url', 'http://ana:secret@example.com/'], /--url must not carry credentials/],
  ];
  for (const [args, message] of cases) {
    it(`qadmin ${args.join(' ')}`, async () => {
      // An unreachable URL: were anything sent, the code would be 1.
      const result = await runQadmin(args, { env: { QADMIN_URL: 'http://127.0.0.1:9' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    });
  }

  it('QADMIN_URL is checked like --url', async () => {
    const result = await runQadmin(['queues'], { env: { QADMIN_URL: 'localhost:3000' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('QADMIN_URL must be an http:// or https:// URL');
  });
});

describe('help', () => {
  it('qadmin --help lists the commands for scripts and the connection settings', async () => {
    const result = await runQadmin(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'queues',
      'jobs <queue>',
      'job <queue> <id>',
      'retry <queue> <id...>',
      'remove',
      'promote',
      'retry-all',
      'clean',
    ]) {
      expect(result.stdout).toContain(command);
    }
    expect(result.stdout).toContain('QADMIN_URL');
    expect(result.stdout).toContain('QADMIN_TOKEN');
  });

  const flags: Record<string, string[]> = {
    queues: ['--json', '--url', '--token'],
    jobs: [
      '--state',
      '--search',
      '--in',
      '--name',
      '--order',
      '--limit',
      '--all',
      '--cursor',
      '--json',
    ],
    job: ['--json'],
    retry: ['<id...>', '--json'],
    remove: ['<id...>'],
    promote: ['<id...>'],
    'retry-all': ['--state', '--json'],
    clean: ['--state', '--older-than', '--limit', '--json'],
  };
  for (const [command, expected] of Object.entries(flags)) {
    it(`qadmin ${command} --help`, async () => {
      const result = await runQadmin([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: qadmin ${command}`);
      for (const flag of [...expected, '--url', '--token']) expect(result.stdout).toContain(flag);
    });
  }
});

describe('the pieces', () => {
  it('tables align by display width and never print control characters', () => {
    const table = renderTable(
      [{ header: 'ID' }, { header: 'COUNT', align: 'right' }, { header: 'DATA', shrink: true }],
      [
        ['東京', '7', 'plain'],
        ['x', '1,234', 'evil \u001b[2J\u202e text\nnext line'],
      ],
    );
    const lines = table.trimEnd().split('\n');
    // COUNT ends in the same column on every line.
    const ends = lines.map((line) => {
      const cells = line.split(/ {2,}/);
      return displayWidth(line.slice(0, line.indexOf(cells[1]!) + cells[1]!.length));
    });
    expect(new Set(ends).size).toBe(1);
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\u202e');
    expect(table).toContain('evil \\x1b[2J\\u202e text next line');
    expect(sanitize('a\r\nb\tc\u0007')).toBe('a b c\\x07');
    expect(toJson({ s: 'x\u009b\u202ey\n' })).toBe('{\n  "s": "x\\u009b\\u202ey\\n"\n}');
  });

  it('a shrinking column is cut so that each line fits the terminal', () => {
    const table = renderTable(
      [{ header: 'ID' }, { header: 'REASON', shrink: true }],
      [['1', 'x'.repeat(200)]],
      40,
    );
    for (const line of table.trimEnd().split('\n'))
      expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(table).toContain('…');
  });

  it('durations: 30s, 15m, 12h, 7d, 2w, 0; anything else is a usage error', () => {
    expect(parseDuration('--older-than', '30s')).toBe(30_000);
    expect(parseDuration('--older-than', '15m')).toBe(900_000);
    expect(parseDuration('--older-than', '12h')).toBe(43_200_000);
    expect(parseDuration('--older-than', '7d')).toBe(604_800_000);
    expect(parseDuration('--older-than', '2w')).toBe(1_209_600_000);
    expect(parseDuration('--older-than', '0')).toBe(0);
    for (const bad of ['7', '-1d', '1.5h', 'd', '7 days', '']) {
      expect(() => parseDuration('--older-than', bad)).toThrow(UsageError);
    }
    expect(formatAge(Date.now() - 90_000)).toBe('1m ago');
    expect(formatAge(Date.now() + 3_600_500)).toBe('in 1h');
  });

  it('the progress bar is drawn on a terminal only, after a moment, and cleared', () => {
    let clock = 0;
    const written: string[] = [];
    const terminal = Object.assign(
      { write: (chunk: string) => written.push(chunk) > 0 },
      { isTTY: true, columns: 80 },
    ) as unknown as NodeJS.WritableStream;
    const progress = startProgress(terminal, {
      label: 'retrying',
      total: 10,
      enabled: true,
      now: () => clock,
    });
    progress.update(1);
    expect(written).toEqual([]);
    clock = 1000;
    progress.update(5);
    expect(written.at(-1)).toMatch(/^\rretrying \[=+> +\] 50% 5\/10 1\.0s\p{Cc}\[K$/u);
    progress.note('qadmin retry: job 3: Unknown job');
    expect(written.at(-2)).toBe('\r\u001b[Kqadmin retry: job 3: Unknown job\n');
    progress.finish();
    expect(written.at(-1)).toBe('\r\u001b[K');

    const piped: string[] = [];
    const pipe = {
      write: (chunk: string) => piped.push(chunk) > 0,
      isTTY: false,
    } as unknown as NodeJS.WritableStream;
    const quiet = startProgress(pipe, {
      label: 'retrying',
      total: 10,
      enabled: true,
      now: () => clock,
    });
    clock = 5000;
    quiet.update(5);
    quiet.note('a failure');
    quiet.finish();
    expect(piped).toEqual(['a failure\n']);

    const json: string[] = [];
    const tty = {
      write: (chunk: string) => json.push(chunk) > 0,
      isTTY: true,
    } as unknown as NodeJS.WritableStream;
    const off = startProgress(tty, { label: 'x', total: 1, enabled: false, now: () => clock });
    clock = 10_000;
    off.update(1);
    off.finish();
    expect(json).toEqual([]);
  });
});
