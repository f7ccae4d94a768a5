/**
 * `qadmin jobs` (a queue's jobs in one state, paged or searched) and
 * `qadmin job` (one job with its data, result and stack trace).
 */
import {
  type ApiJob,
  type ApiJobPage,
  type ApiJobSummary,
  isQadminApiError,
  type ListJobsParams,
} from '@qadmin/client';
import type { JobState, SearchField } from '@qadmin/core';
import { CommandError, UsageError } from '../errors';
import type { MainIo } from '../main';
import { parseCommand, parseCount, parseSearchFields, parseState } from './args';
import { connect, explainFailure, resolveQueue } from './connection';
import {
  type Column,
  formatAge,
  formatCount,
  formatElapsed,
  formatTime,
  plural,
  renderFields,
  renderTable,
  sanitize,
  sanitizeLines,
  terminalWidth,
  toJson,
  write,
} from './format';
import { startProgress } from './progress';

const CONNECTION_FLAGS = `  --url <url>       the dashboard (default http://127.0.0.1:3000)   QADMIN_URL
  --token <token>   bearer token (auth.tokens of its config)         QADMIN_TOKEN`;

/** `qadmin jobs --help`. */
export const JOBS_HELP = `Usage: qadmin jobs <queue> --state <state> [flags]

Lists a queue's jobs in one state, newest first. <queue> is a queue id
(memory:emails) or, when only one backend has a queue by that name, its name.

Flags:
  --state <state>   waiting, prioritized, waiting-children, delayed, active,
                    paused, completed, failed, cancelled or abandoned (required)
  --search <text>   only jobs whose name, data or error holds this text
  --in <fields>     where --search looks: name, data, error (comma-separated;
                    default every field the backend can search)
  --name <name>     only jobs with exactly this name
  --order <order>   newest (default) or oldest first
  --limit <n>       how many jobs (default 25); fetched page by page
  --all             every job in the state
  --cursor <c>      continue after a previous listing (it prints the cursor)
  --json            print one API job page document with every job fetched
${CONNECTION_FLAGS}
  -h, --help        show this help

  qadmin jobs emails --state failed --search timeout --in error
  qadmin jobs memory:webhooks --state failed --all --json | jq -r '.jobs[].id'
`;

/** `qadmin job --help`. */
export const JOB_HELP = `Usage: qadmin job <queue> <id> [flags]

Shows one job: its state, attempts and times, its data, return value and
stack traces.

Flags:
  --json            print the API's job document
${CONNECTION_FLAGS}
  -h, --help        show this help

  qadmin job memory:webhooks 42
`;

/** The page size asked for when the server's is unknown: the API's default maximum. */
const PAGE_SIZE = 100;

interface JobsFlags {
  state?: string;
  search?: string;
  in?: string;
  name?: string;
  order?: string;
  limit?: string;
  all?: boolean;
  cursor?: string;
}

/**
 * Runs `qadmin jobs` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await jobsCommand(['memory:emails', '--state', 'failed'], io);
 * ```
 */
export async function jobsCommand(args: string[], io: MainIo): Promise<number> {
  const { flags, positionals } = parseCommand<JobsFlags>(
    'jobs',
    args,
    {
      state: { type: 'string' },
      search: { type: 'string' },
      in: { type: 'string' },
      name: { type: 'string' },
      order: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean' },
      cursor: { type: 'string' },
    },
    { required: ['queue'] },
  );
  if (flags.help) {
    await write(io.stdout, JOBS_HELP);
    return 0;
  }
  if (flags.state === undefined) {
    throw new UsageError('give --state: failed, completed, waiting, ... (see qadmin jobs --help)');
  }
  const state = parseState('--state', flags.state);
  const fields = flags.in === undefined ? undefined : parseSearchFields('--in', flags.in);
  if (fields && flags.search === undefined) throw new UsageError('--in needs --search');
  if (flags.search !== undefined && flags.search.length === 0) {
    throw new UsageError('--search needs some text');
  }
  if (flags.search !== undefined && flags.name !== undefined) {
    // The API does not combine them: a search ignores the name filter.
    throw new UsageError(
      'give --search or --name, not both (--search text --in name looks in names)',
    );
  }
  if (flags.order !== undefined && flags.order !== 'newest' && flags.order !== 'oldest') {
    throw new UsageError(`--order must be newest or oldest, not ${JSON.stringify(flags.order)}`);
  }
  if (flags.all && flags.limit !== undefined) {
    throw new UsageError('give --limit or --all, not both');
  }
  const limit = flags.all
    ? Number.POSITIVE_INFINITY
    : flags.limit === undefined
      ? 25
      : parseCount('--limit', flags.limit);
  const connection = connect(flags, io.env);
  const queue = await resolveQueue(connection, positionals[0]!);

  const query: ListJobsParams = {
    state,
    ...(flags.order !== undefined && { order: flags.order as 'newest' | 'oldest' }),
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.search !== undefined && { q: flags.search }),
    ...(fields && { in: fields }),
  };
  const searching = flags.search !== undefined;
  // Many pages (--all, a long --limit, a search that looks far) show how far they got.
  const progress = startProgress(io.stderr, {
    label: searching ? 'searching' : 'fetching',
    total: queue.counts[state] ?? null,
    enabled: !flags.json,
    delayMs: 500,
  });
  const jobs: ApiJobSummary[] = [];
  let cursor = flags.cursor;
  let pageSize = PAGE_SIZE;
  let first: ApiJobPage | undefined;
  let last: ApiJobPage | undefined;
  let scanned = 0;
  try {
    while (jobs.length < limit) {
      const want = Math.min(pageSize, limit - jobs.length);
      let page: ApiJobPage;
      try {
        page = await connection.client.listJobs(queue.id, {
          ...query,
          limit: want,
          ...(cursor !== undefined && { cursor }),
        });
      } catch (error) {
        // A dashboard configured with a smaller page than the API's default says how small.
        const most =
          isQadminApiError(error) && error.field === 'query.limit'
            ? /at most (\d+)/.exec(error.detail ?? '')
            : null;
        if (most && Number(most[1]) >= 1 && Number(most[1]) < want) {
          pageSize = Number(most[1]);
          continue;
        }
        throw error;
      }
      first ??= page;
      last = page;
      jobs.push(...page.jobs);
      scanned += page.search?.scanned ?? page.jobs.length;
      cursor = page.nextCursor ?? undefined;
      progress.update(searching ? scanned : jobs.length);
      if (cursor === undefined) break;
    }
  } catch (error) {
    throw new CommandError(
      explainFailure(error, connection, `cannot list ${state} jobs of ${queue.id}`),
    );
  } finally {
    progress.finish();
  }
  const shown = jobs.slice(0, limit);
  const nextCursor = last?.nextCursor ?? null;

  if (flags.json) {
    const document: ApiJobPage = {
      queueId: queue.id,
      state,
      jobs: shown,
      nextCursor,
      total: first?.total ?? null,
      search: last?.search ? { ...last.search, scanned } : null,
    };
    await write(io.stdout, `${toJson(document)}\n`);
    return 0;
  }
  if (shown.length > 0) {
    await write(io.stdout, jobTable(shown, state, queue.name, terminalWidth(io.stdout)));
  }
  await write(
    io.stderr,
    `${summary(shown.length, state, queue.id, first?.total ?? null, fields, flags.search, scanned, nextCursor)}\n`,
  );
  return 0;
}

/** The line under the table: how many, of how many, how far a search looked, how to go on. */
function summary(
  count: number,
  state: JobState,
  queueId: string,
  total: number | null,
  fields: SearchField[] | undefined,
  search: string | undefined,
  scanned: number,
  nextCursor: string | null,
): string {
  let line =
    count === 0
      ? `no ${state} jobs in ${queueId}`
      : nextCursor !== null && total !== null && search === undefined
        ? `${formatCount(count)} of ${plural(total, `${state} job`)} in ${queueId}`
        : `${plural(count, `${state} job`)} in ${queueId}`;
  if (search !== undefined) {
    line += ` matching ${JSON.stringify(search)}${fields ? ` in ${fields.join(', ')}` : ''} (looked at ${plural(scanned, 'job')})`;
  }
  if (nextCursor !== null) line += `; more with --cursor ${nextCursor}`;
  return sanitize(line);
}

const TIME_COLUMN: Partial<Record<JobState, [string, (job: ApiJobSummary) => number | null]>> = {
  active: ['STARTED', (job) => job.processedAt],
  delayed: ['RUNS', (job) => job.delayedUntil],
  completed: ['FINISHED', (job) => job.finishedAt],
  failed: ['FINISHED', (job) => job.finishedAt],
  cancelled: ['FINISHED', (job) => job.finishedAt],
  abandoned: ['FINISHED', (job) => job.finishedAt],
};

function attempts(job: { attemptsMade: number; attemptsAllowed: number | null }): string {
  return job.attemptsAllowed === null
    ? String(job.attemptsMade)
    : `${job.attemptsMade}/${job.attemptsAllowed}`;
}

/** The jobs as a table whose columns suit the state: when they finished and why they failed, ... */
function jobTable(
  jobs: ApiJobSummary[],
  state: JobState,
  queueName: string,
  width: number | undefined,
): string {
  const now = Date.now();
  // Where jobs are named after their queue (pg-boss) the name tells nothing.
  const named = jobs.some((job) => job.name !== queueName);
  const time = TIME_COLUMN[state];
  const failed = state === 'failed' || state === 'abandoned';
  const columns: Column[] = [
    { header: 'ID' },
    ...(named ? [{ header: 'NAME' }] : []),
    { header: 'ATTEMPTS', align: 'right' },
    { header: 'CREATED' },
    ...(time ? [{ header: time[0] }] : []),
    ...(state === 'active' ? [{ header: 'PROGRESS', align: 'right' as const }] : []),
    { header: failed ? 'REASON' : 'DATA', shrink: true },
  ];
  const rows = jobs.map((job) => {
    const at = time?.[1](job);
    return [
      job.id,
      ...(named ? [job.name] : []),
      attempts(job),
      formatAge(job.createdAt, now),
      ...(time ? [at === null || at === undefined ? '-' : formatAge(at, now)] : []),
      ...(state === 'active' ? [progressText(job.progress)] : []),
      failed ? (job.failedReason ?? '') : job.dataPreview,
    ];
  });
  return renderTable(columns, rows, width);
}

function progressText(progress: ApiJobSummary['progress']): string {
  if (typeof progress === 'number') return `${progress}%`;
  if (progress === null) return '-';
  return JSON.stringify(progress);
}

/**
 * Runs `qadmin job` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await jobCommand(['memory:webhooks', '42', '--json'], io);
 * ```
 */
export async function jobCommand(args: string[], io: MainIo): Promise<number> {
  const { flags, positionals } = parseCommand<object>(
    'job',
    args,
    {},
    { required: ['queue', 'id'] },
  );
  if (flags.help) {
    await write(io.stdout, JOB_HELP);
    return 0;
  }
  const connection = connect(flags, io.env);
  const queue = await resolveQueue(connection, positionals[0]!);
  const id = positionals[1]!;
  let job: ApiJob;
  try {
    job = await connection.client.getJob(queue.id, id);
  } catch (error) {
    throw new CommandError(
      explainFailure(error, connection, `cannot read job ${id} of ${queue.id}`),
    );
  }
  await write(io.stdout, flags.json ? `${toJson(job)}\n` : describeJob(job));
  return 0;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) ?? 'undefined';

/** A job for people: its fields, then data, return value and stack trace in blocks. */
function describeJob(job: ApiJob): string {
  const now = Date.now();
  const time = (at: number | null) => (at === null ? undefined : formatTime(at, now));
  const ref = (r: { queue: string; id: string; state?: string | undefined } | null) =>
    r === null ? undefined : `${r.queue} ${r.id}${r.state ? ` (${r.state})` : ''}`;
  const ran =
    job.processedAt !== null && job.finishedAt !== null
      ? formatElapsed(job.finishedAt - job.processedAt)
      : undefined;
  let text = `job ${sanitize(job.id)} of ${sanitize(job.queueId)}\n\n`;
  text += renderFields([
    ['name', job.name],
    [
      'state',
      job.nativeState && job.nativeState !== job.state
        ? `${job.state} (${job.nativeState})`
        : job.state,
    ],
    [
      'attempts',
      job.attemptsAllowed === null
        ? String(job.attemptsMade)
        : `${job.attemptsMade} of ${job.attemptsAllowed}`,
    ],
    ['priority', job.priority === null ? undefined : String(job.priority)],
    ['progress', job.progress === null ? undefined : progressText(job.progress)],
    ['created', time(job.createdAt)],
    ['delayed until', time(job.delayedUntil)],
    ['started', time(job.processedAt)],
    ['finished', time(job.finishedAt)],
    ['ran for', ran],
    ['worker', job.workerId ?? undefined],
    ['parent', ref(job.parent)],
    [
      'children',
      job.children.length === 0 ? undefined : job.children.map((child) => ref(child)).join(', '),
    ],
    ['failed reason', job.failedReason ?? undefined],
  ]);
  const block = (title: string, body: string) => `\n${title}:\n${sanitizeLines(body)}\n`;
  text += block('data', json(job.data));
  if (job.returnValue !== null && job.returnValue !== undefined)
    text += block('return value', json(job.returnValue));
  if (Object.keys(job.options).length > 0) text += block('options', json(job.options));
  if (job.stacktrace.length > 0) text += block('stack trace', job.stacktrace.join('\n\n'));
  return text;
}
