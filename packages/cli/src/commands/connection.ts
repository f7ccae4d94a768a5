/**
 * How the scripting commands reach a running dashboard: its URL and bearer
 * token (flag, then environment, then default), the typed client, queue
 * names resolved to queue ids, and the client's failures turned into one
 * line that says what failed and why.
 */
import {
  createClient,
  isQadminApiError,
  type QadminClient,
  type QueueOverview,
} from '@qadmin/client';
import { CommandError, describeError, UsageError } from '../errors';
import type { ConnectionFlags } from './args';
import { sanitize } from './format';

/** Where `--url` points when neither it nor QADMIN_URL is given. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** A client of one dashboard, with what error messages need to know about it. */
export interface Connection {
  client: QadminClient;
  /** The dashboard URL as given, with a trailing slash, for messages. */
  url: string;
  /** Whether a bearer token is sent. */
  hasToken: boolean;
}

/**
 * The client of the dashboard named by `--url` / QADMIN_URL (default
 * {@link DEFAULT_URL}) sending `--token` / QADMIN_TOKEN as a bearer token.
 *
 * @example
 * ```ts
 * const { client } = connect({ url: 'http://127.0.0.1:3000/queues' }, process.env);
 * ```
 */
export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const from = flags.url === undefined && env.QADMIN_URL ? 'QADMIN_URL' : '--url';
  const raw = flags.url ?? (env.QADMIN_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} must be an http:// or https:// URL, not ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} must be an http:// or https:// URL, not ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password) {
    // fetch refuses such URLs, and a secret there ends up in shell history and logs.
    throw new UsageError(
      `${from} must not carry credentials: give the token with --token or QADMIN_TOKEN`,
    );
  }
  if (url.search || url.hash) {
    throw new UsageError(`${from} must be the dashboard's address, without ?query or #fragment`);
  }
  const token = flags.token ?? (env.QADMIN_TOKEN || undefined);
  if (token !== undefined && !/^\S+$/.test(token)) {
    throw new UsageError(
      `${flags.token !== undefined ? '--token' : 'QADMIN_TOKEN'} must be one word without spaces`,
    );
  }
  const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
  const client = createClient({
    baseUrl: base,
    ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }),
  });
  return { client, url: base, hasToken: token !== undefined };
}

/**
 * One line for a failed request: the problem's title and detail from the
 * server (RFC 9457), or why the dashboard could not be reached, after
 * `doing` ("cannot list failed jobs of memory:emails").
 *
 * @example
 * ```ts
 * throw new CommandError(explainFailure(error, connection, 'cannot read the overview'));
 * ```
 */
export function explainFailure(error: unknown, connection: Connection, doing: string): string {
  return `${doing}: ${reason(error, connection)}`;
}

/** {@link explainFailure} without what was being done: for one line per job. */
export function reason(error: unknown, connection: Connection): string {
  if (isQadminApiError(error)) {
    const text = error.detail ? `${error.title}: ${error.detail}` : error.title;
    let hint = '';
    if (error.status === 401 && !connection.hasToken)
      hint = '; give a token with --token or QADMIN_TOKEN';
    else if (
      error.status === 404 &&
      (error.type === 'about:blank' || /^No route/.test(error.detail ?? ''))
    ) {
      // No qadmin API answered at that path: most likely a base path left out of --url.
      hint = `; is ${connection.url} the dashboard's address, with its base path?`;
    }
    return sanitize(`${text} (HTTP ${error.status})${hint}`);
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return `cannot reach the dashboard at ${connection.url}: ${sanitize(describeError(error.cause ?? error))}`;
  }
  if (error instanceof SyntaxError) {
    return `the answer from ${connection.url} is not JSON: is it the dashboard's address, with its base path?`;
  }
  return sanitize(describeError(error));
}

/**
 * Whether retrying the next job would fail the same way (no connection, a
 * bad token, a missing permission, an unsupported action, a backend down),
 * so that a list of jobs stops at the first such failure instead of repeating it.
 *
 * @example
 * ```ts
 * if (isFatal(error)) break;
 * ```
 */
export function isFatal(error: unknown): boolean {
  if (!isQadminApiError(error)) return true;
  return [401, 403, 501, 502, 503, 504].includes(error.status);
}

/**
 * The queue a command argument names: a queue id (`backend:name`) or, when
 * only one backend has a queue by that name, the bare name. Returns the
 * queue's row of the overview (with its counts).
 *
 * @example
 * ```ts
 * const queue = await resolveQueue(connection, 'emails'); // { id: 'memory:emails', ... }
 * ```
 */
export async function resolveQueue(connection: Connection, name: string): Promise<QueueOverview> {
  let queues: QueueOverview[];
  try {
    ({ queues } = await connection.client.overview());
  } catch (error) {
    throw new CommandError(explainFailure(error, connection, 'cannot read the list of queues'));
  }
  const byId = queues.find((queue) => queue.id === name);
  if (byId) return byId;
  const byName = queues.filter((queue) => queue.name === name);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new UsageError(
      `${JSON.stringify(name)} names several queues: ${byName.map((queue) => queue.id).join(', ')}; give the queue id`,
    );
  }
  const known = queues.map((queue) => queue.id);
  throw new CommandError(
    `unknown queue ${JSON.stringify(name)} at ${connection.url}${
      known.length === 0
        ? ' (it has no queues)'
        : ` (queues: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})`
    }`,
  );
}
