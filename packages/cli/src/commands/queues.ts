/**
 * `qadmin queues`: every queue of a running dashboard with its job counts.
 */
import { JOB_STATES, type JobState, type Overview } from '@qadmin/core';
import { CommandError } from '../errors';
import type { MainIo } from '../main';
import { parseCommand } from './args';
import { connect, explainFailure } from './connection';
import {
  type Column,
  formatCount,
  renderTable,
  sanitize,
  terminalWidth,
  toJson,
  write,
} from './format';

const USUAL_STATES: ReadonlySet<JobState> = new Set([
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
]);

/** `qadmin queues --help`. */
export const QUEUES_HELP = `Usage: qadmin queues [flags]

Lists every queue of a running dashboard with its job counts by state (the
rarer states only when some queue has such jobs), its workers and whether it
is paused. Exits 1 when a backend cannot be read (its
queues are then missing from the list).

Flags:
  --url <url>       the dashboard (default http://127.0.0.1:3000)   QADMIN_URL
  --token <token>   bearer token (auth.tokens of its config)         QADMIN_TOKEN
  --json            print the API's overview document
  -h, --help        show this help

  qadmin queues --url https://ops.example.com/queues
`;

/**
 * Runs `qadmin queues` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await queuesCommand(['--json'], io);
 * ```
 */
export async function queuesCommand(args: string[], io: MainIo): Promise<number> {
  const { flags } = parseCommand<object>('queues', args, {}, { required: [] });
  if (flags.help) {
    await write(io.stdout, QUEUES_HELP);
    return 0;
  }
  const connection = connect(flags, io.env);
  let overview: Overview;
  try {
    overview = await connection.client.overview();
  } catch (error) {
    throw new CommandError(explainFailure(error, connection, 'cannot read the list of queues'));
  }
  const down = overview.backends.filter((backend) => !backend.ok);
  if (flags.json) {
    await write(io.stdout, `${toJson(overview)}\n`);
  } else if (overview.queues.length === 0) {
    if (down.length === 0)
      await write(io.stderr, `qadmin queues: no queues at ${connection.url}\n`);
  } else {
    // The states some queue reports, in the dashboard's order (a backend leaves out those it
    // lacks); the rarer ones only when some queue has such jobs, to fit a terminal.
    const states = JOB_STATES.filter((state) =>
      overview.queues.some((queue) =>
        USUAL_STATES.has(state)
          ? queue.counts[state] !== undefined
          : (queue.counts[state] ?? 0) > 0,
      ),
    );
    const columns: Column[] = [
      { header: 'QUEUE' },
      ...states.map((state): Column => ({ header: state.toUpperCase(), align: 'right' })),
      { header: 'WORKERS', align: 'right' },
      { header: 'STATUS' },
    ];
    const rows = overview.queues.map((queue) => [
      queue.id,
      ...states.map((state) => {
        const count = queue.counts[state];
        return count === undefined ? '-' : formatCount(count);
      }),
      queue.workers === null ? '-' : formatCount(queue.workers),
      queue.paused ? 'paused' : 'running',
    ]);
    await write(io.stdout, renderTable(columns, rows, terminalWidth(io.stdout)));
  }
  for (const backend of down) {
    await write(
      io.stderr,
      `qadmin queues: backend ${sanitize(backend.id)} (${sanitize(backend.label)}) cannot be read: ${sanitize(backend.error ?? 'no answer')}\n`,
    );
  }
  return down.length > 0 ? 1 : 0;
}
