/**
 * What `qadmin serve` prints, as text for people or as JSON lines for a log
 * pipeline, and the access log. No logging library: a CLI that writes one
 * line per event needs a `JSON.stringify` and a timestamp, not a dependency
 * with transports and worker threads.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatWithOptions } from 'node:util';
import type { AuthProvider } from '@qadmin/core';
import { sanitize } from './commands/format';

/**
 * Where `serve` writes: one line per call, without the newline. `out` is
 * standard output, `err` standard error.
 *
 * @example
 * ```ts
 * const output: Output = { out: console.log, err: console.error };
 * ```
 */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['text', 'json'] as const;

/**
 * `text`: `qadmin: <message>` lines, for a terminal. `json`: one object per
 * line with `time`, `level`, `msg` and the fields of the event.
 *
 * @example
 * ```ts
 * const format: LogFormat = process.stdout.isTTY ? 'text' : 'json';
 * ```
 */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * How much a line matters: `info` goes to standard output, `warn` and
 * `error` to standard error.
 *
 * @example
 * ```ts
 * const level: LogLevel = 'warn';
 * ```
 */
export type LogLevel = 'info' | 'warn' | 'error';

/**
 * The structured fields of a line, beside its message: JSON values only
 * (an `Error` would print as `{}`: pass its message).
 *
 * @example
 * ```ts
 * const fields: LogFields = { event: 'source', id: 'bullmq', queues: ['emails'] };
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * Writes `qadmin serve`'s lines in one format. In text, a line is
 * `qadmin: <msg>` and the fields are not printed (the message says it all);
 * in JSON, `{ time, level, msg, ...fields }`, with the same `msg`.
 *
 * @example
 * ```ts
 * const log = createLogger({ out: console.log, err: console.error }, 'json');
 * log.info('dashboard at http://127.0.0.1:3000/', { event: 'listening', url: 'http://127.0.0.1:3000/' });
 * // {"time":"2025-01-01T00:00:00.000Z","level":"info","msg":"dashboard at http://...","event":"listening","url":"http://..."}
 * ```
 */
export interface Logger {
  readonly format: LogFormat;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * A {@link Logger} writing to `output` in `format`; `now` is the clock of
 * the `time` field.
 *
 * @example
 * ```ts
 * const log = createLogger({ out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) });
 * log.warn('listening on 0.0.0.0 without login');
 * ```
 */
export function createLogger(
  output: Output,
  format: LogFormat = 'text',
  now: () => Date = () => new Date(),
): Logger {
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    const line =
      format === 'json'
        ? // The fixed keys first, for whoever reads the raw line, and not overridable by a field.
          JSON.stringify(
            Object.assign({ time: '', level, msg }, fields, {
              time: now().toISOString(),
              level,
              msg,
            }),
          )
        : `qadmin: ${msg}`;
    if (level === 'info') output.out(line);
    else output.err(line);
  };
  return {
    format,
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/**
 * Sends what libraries print with `console` (core's report of an unexpected
 * failure, a client's unhandled error event) through `logger`, so that a JSON
 * log stays one object per line; an `Error` becomes `error` and `stack`
 * fields instead of lines of its own. Returns the function that restores
 * `console`.
 *
 * @example
 * ```ts
 * const restore = routeConsole(createLogger(output, 'json'));
 * // ... serve ...
 * restore();
 * ```
 */
export function routeConsole(logger: Logger): () => void {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
  };
  const route =
    (level: LogLevel) =>
    (...args: unknown[]) => {
      const error = args.find((arg): arg is Error => arg instanceof Error);
      const rest = args.filter((arg) => arg !== error);
      const msg = formatWithOptions({ breakLength: Number.POSITIVE_INFINITY }, ...rest);
      logger[level](
        msg || (error?.message ?? ''),
        error ? { error: error.message, stack: error.stack } : undefined,
      );
    };
  console.log = route('info');
  console.info = route('info');
  console.warn = route('warn');
  console.error = route('error');
  return () => Object.assign(console, saved);
}

/** What the access log learns of a request while core answers it. */
interface RequestNote {
  principal?: string;
}

const requestNotes = new AsyncLocalStorage<RequestNote>();

/**
 * `provider` as it is, except that whom it authenticates (or logs in, or
 * creates with the first-run setup) is noted for the access log line of the
 * request. Core decides who is logged in; this only listens, so the access
 * log needs nothing from core and costs nothing when it is off.
 *
 * @example
 * ```ts
 * createAdmin({ backends, auth: providers.map(notingPrincipal) });
 * ```
 */
export function notingPrincipal(provider: AuthProvider): AuthProvider {
  const note = (principal: { id: string } | null | undefined) => {
    const request = requestNotes.getStore();
    if (request && principal) request.principal = principal.id;
  };
  // A Proxy rather than a copy: methods core adds to providers later pass through unchanged.
  return new Proxy(provider, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'authenticate') {
        return async (...args: unknown[]) => {
          const principal = await value.apply(target, args);
          note(principal);
          return principal;
        };
      }
      if (key === 'login' || key === 'setup') {
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          note(result?.principal);
          return result;
        };
      }
      return value.bind(target);
    },
  });
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The path and the names of the query parameters, as received (still
 * percent-encoded, so no control character can reach a text log). Values
 * are left out: a search term holds whatever a user looks for in job data,
 * and a token pasted into a URL must not land in a log file. Which
 * parameters a request had is enough to tell requests apart.
 */
function requestTarget(url: string): { path: string; query: string[] } {
  const at = url.indexOf('?');
  if (at === -1) return { path: url, query: [] };
  const names = url
    .slice(at + 1)
    .split('&')
    .map((pair) => pair.split('=')[0]!)
    .filter((name) => name !== '');
  return { path: url.slice(0, at), query: [...new Set(names)] };
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/**
 * `listener` with an access log: one line per request once it is answered
 * (or the client left: `aborted`), with method, path, the names of the query
 * parameters (never their values), status, duration, body bytes sent and the
 * id of whoever was logged in. Never a cookie or an `Authorization` value.
 * An event stream is logged when it ends. Pair it with
 * {@link notingPrincipal} on the auth providers for the principal.
 *
 * @example
 * ```ts
 * createServer(withAccessLog(createNodeListener(admin), createLogger(output, 'json')));
 * // {"time":"...","level":"info","msg":"GET /api/overview 200 3.1ms 812B","event":"request","method":"GET","path":"/api/overview","status":200,"durationMs":3.1,"bytes":812}
 * ```
 */
export function withAccessLog(listener: RequestListener, logger: Logger): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const note: RequestNote = {};
    let bytes = 0;
    const write = res.write;
    const end = res.end;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      bytes += byteLength(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') bytes += byteLength(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as typeof res.end;
    res.once('close', () => {
      const method = req.method ?? 'GET';
      const { path, query } = requestTarget(req.url ?? '/');
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const aborted = !res.writableFinished;
      // A client that left before the answer began got no status at all.
      const status = res.headersSent ? res.statusCode : null;
      const shown = sanitize(`${path}${query.length > 0 ? `?${query.join('&')}` : ''}`);
      const who = note.principal === undefined ? '' : ` principal=${sanitize(note.principal)}`;
      logger.info(
        `${method} ${shown} ${status ?? '-'} ${durationMs}ms ${bytes}B${who}${aborted ? ' aborted' : ''}`,
        {
          event: 'request',
          method,
          path,
          ...(query.length > 0 && { query }),
          status,
          durationMs,
          bytes,
          ...(note.principal !== undefined && { principal: note.principal }),
          ...(aborted && { aborted }),
        },
      );
    });
    requestNotes.run(note, () => listener(req, res));
  };
}
