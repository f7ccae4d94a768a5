/**
 * `qadmin retry-all` and `qadmin clean`: queue-wide actions, with a
 * progress bar on a terminal. Both need the admin role.
 */
import type { JobState } from '@qadmin/core';
import { CommandError, UsageError } from '../errors';
import type { MainIo } from '../main';
import { formatDuration, parseCommand, parseCount, parseDuration, parseState } from './args';
import { type Connection, connect, explainFailure, resolveQueue } from './connection';
import { plural, toJson, write } from './format';
import { startProgress } from './progress';

const CONNECTION_FLAGS = `  --json            print { queueId, action, state, ..., affected }
  --url <url>       the dashboard (default http://127.0.0.1:3000)   QADMIN_URL
  --token <token>   bearer token (auth.tokens of its config)         QADMIN_TOKEN
  -h, --help        show this help`;

/** `qadmin retry-all --help`. */
export const RETRY_ALL_HELP = `Usage: qadmin retry-all <queue> [flags]

Runs every failed job of a queue again (or every job of another state the
backend retries, such as cancelled with pg-boss). Needs the admin role.

Flags:
  --state <state>   which jobs (default failed)
${CONNECTION_FLAGS}

  qadmin retry-all memory:webhooks
`;

/** `qadmin clean --help`. */
export const CLEAN_HELP = `Usage: qadmin clean <queue> --state <state> [flags]

Removes a queue's jobs in one state that finished (or, for jobs that have
not run, were created) longer ago than --older-than. Works in batches, so a
large queue is cleaned as a whole. Needs the admin role.

Flags:
  --state <state>        completed, failed, waiting, delayed, ... (required)
  --older-than <age>     only jobs older than this: 30s, 15m, 12h, 7d, 2w
                         (default 0: every job in the state)
  --limit <n>            remove at most this many
${CONNECTION_FLAGS}

  qadmin clean memory:emails --state completed --older-than 7d
`;

/** How often a retry-all's progress is read while it runs. */
const POLL_MS = 500;

/** The state's count of the queue now, or `null` when it cannot be read. */
async function countOf(connection: Connection, queueId: string, state: JobState) {
  try {
    return (await connection.client.queue(queueId)).counts[state] ?? 0;
  } catch {
    return null;
  }
}

/**
 * Runs `qadmin retry-all` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await retryAllCommand(['memory:webhooks'], io);
 * ```
 */
export async function retryAllCommand(args: string[], io: MainIo): Promise<number> {
  const { flags, positionals } = parseCommand<{ state?: string }>(
    'retry-all',
    args,
    { state: { type: 'string' } },
    { required: ['queue'] },
  );
  if (flags.help) {
    await write(io.stdout, RETRY_ALL_HELP);
    return 0;
  }
  const state = parseState('--state', flags.state ?? 'failed');
  const connection = connect(flags, io.env);
  const queue = await resolveQueue(connection, positionals[0]!);

  const progress = startProgress(io.stderr, {
    label: `retrying ${state} jobs`,
    enabled: !flags.json,
  });
  // One request does the work; on a terminal the bar follows the state's count going down
  // meanwhile, from the count read just before it starts.
  const drawn = (io.stderr as Partial<NodeJS.WriteStream>).isTTY === true && !flags.json;
  const before = drawn ? await countOf(connection, queue.id, state) : null;
  progress.update(0, before);
  let running = true;
  // The pause between two reads ends early when the work does, so the command exits at once.
  let wake = () => {};
  const watch = async (from: number) => {
    while (running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const now = running ? await countOf(connection, queue.id, state) : null;
      if (now !== null) progress.update(Math.max(0, from - now));
    }
  };
  const watching = before === null ? undefined : watch(before);
  let affected: number;
  try {
    ({ affected } = await connection.client.bulkAction(queue.id, { type: 'retry-all', state }));
  } catch (error) {
    throw new CommandError(
      explainFailure(error, connection, `cannot retry the ${state} jobs of ${queue.id}`),
    );
  } finally {
    running = false;
    wake();
    await watching;
    progress.finish();
  }
  await write(
    io.stdout,
    flags.json
      ? `${toJson({ queueId: queue.id, action: 'retry-all', state, affected })}\n`
      : `retried ${plural(affected, `${state} job`)} in ${queue.id}\n`,
  );
  return 0;
}

interface CleanFlags {
  state?: string;
  'older-than'?: string;
  limit?: string;
}

/**
 * Runs `qadmin clean` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await cleanCommand(['memory:emails', '--state', 'completed', '--older-than', '7d'], io);
 * ```
 */
export async function cleanCommand(args: string[], io: MainIo): Promise<number> {
  const { flags, positionals } = parseCommand<CleanFlags>(
    'clean',
    args,
    { state: { type: 'string' }, 'older-than': { type: 'string' }, limit: { type: 'string' } },
    { required: ['queue'] },
  );
  if (flags.help) {
    await write(io.stdout, CLEAN_HELP);
    return 0;
  }
  if (flags.state === undefined) {
    throw new UsageError('give --state: completed, failed, ... (see qadmin clean --help)');
  }
  const state = parseState('--state', flags.state);
  const olderThanMs =
    flags['older-than'] === undefined ? 0 : parseDuration('--older-than', flags['older-than']);
  const limit = flags.limit === undefined ? null : parseCount('--limit', flags.limit);
  const connection = connect(flags, io.env);
  const queue = await resolveQueue(connection, positionals[0]!);

  const count = queue.counts[state] ?? null;
  const total = count === null ? limit : limit === null ? count : Math.min(limit, count);
  // About twenty requests whatever the size: each one bounded (the API's own default is
  // 10,000), few enough that the audit trail keeps one entry per batch, not per job.
  const batch = count === null ? 10_000 : Math.min(100_000, Math.max(1_000, Math.ceil(count / 20)));
  const progress = startProgress(io.stderr, {
    label: `removing ${state} jobs`,
    total,
    enabled: !flags.json,
  });
  const started = Date.now();
  let affected = 0;
  try {
    for (;;) {
      const size = limit === null ? batch : Math.min(batch, limit - affected);
      if (size <= 0) break;
      // The cutoff stays where it was at the start: jobs that finish while the
      // clean runs are not chased, so a busy queue cannot keep it going.
      const result = await connection.client.bulkAction(queue.id, {
        type: 'clean',
        state,
        olderThanMs: olderThanMs + (Date.now() - started),
        limit: size,
      });
      affected += result.affected;
      progress.update(affected, total === null ? null : Math.max(total, affected));
      if (result.affected < size) break;
    }
  } catch (error) {
    progress.finish();
    const failure = explainFailure(
      error,
      connection,
      `cannot clean the ${state} jobs of ${queue.id}`,
    );
    throw new CommandError(
      affected > 0 ? `stopped after removing ${plural(affected, 'job')}: ${failure}` : failure,
    );
  }
  progress.finish();
  const age = olderThanMs > 0 ? ` older than ${formatDuration(olderThanMs)}` : '';
  await write(
    io.stdout,
    flags.json
      ? `${toJson({ queueId: queue.id, action: 'clean', state, olderThanMs, limit, affected })}\n`
      : `removed ${plural(affected, `${state} job`)}${age} from ${queue.id}\n`,
  );
  return 0;
}
