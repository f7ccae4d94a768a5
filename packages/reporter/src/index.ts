/**
 * `@qadmin/reporter`: the client workers use to report their jobs to a qadmin
 * collector (docs/ingest-protocol.md). Report calls only push onto a bounded
 * in-memory buffer; one background loop sends batches, retries with backoff
 * and polls for commands. Nothing here throws into, or waits on behalf of, the
 * worker.
 */
import { hostname } from 'node:os';

// ------------------------------------------------------------------ types

/**
 * What every job event may carry besides its own fields.
 *
 * @example
 * ```ts
 * const fields: JobEventFields = { name: 'send', attempt: 2 };
 * ```
 */
export interface JobEventFields {
  /** The job's name (the collector defaults it to the queue's). At most 256 characters. */
  name?: string;
  /** Which attempt the event belongs to, an integer from 1 (the default). */
  attempt?: number;
  /** When it happened, epoch ms or a Date; default now. */
  time?: number | Date;
}

/**
 * Fields of a `queued` event.
 *
 * @example
 * ```ts
 * reporter.queued('emails', '42', { name: 'send', data: { to: 'a@example.com' }, attemptsAllowed: 3 });
 * ```
 */
export interface QueuedFields extends JobEventFields {
  /** The job's data, any JSON. */
  data?: unknown;
  /** How many attempts the job may take in all (an integer from 1). */
  attemptsAllowed?: number;
  priority?: number;
  /** When a delayed job becomes due, epoch ms or a Date. */
  delayUntil?: number | Date;
  /** The job that created this one. */
  parent?: { queue: string; id: string };
}

/**
 * Fields of a `started` event.
 *
 * @example
 * ```ts
 * reporter.started('emails', '42', { attempt: 1, data: job.data });
 * ```
 */
export interface StartedFields extends JobEventFields {
  /** The job's data, for jobs whose `queued` was never reported. */
  data?: unknown;
}

/**
 * Fields of a `progress` event.
 *
 * @example
 * ```ts
 * reporter.progress('images', '7', { progress: 40 });
 * reporter.progress('images', '7', { progress: { page: 3, of: 11 } });
 * ```
 */
export interface ProgressFields extends JobEventFields {
  /** A number or a JSON object. */
  progress: number | Record<string, unknown>;
}

/**
 * Fields of a `log` event.
 *
 * @example
 * ```ts
 * reporter.log('images', '7', { message: 'resized 3 of 11' });
 * ```
 */
export interface LogFields extends JobEventFields {
  /** One log line; longer than 64 Ki characters is cut. */
  message: string;
}

/**
 * Fields of a `completed` event.
 *
 * @example
 * ```ts
 * reporter.completed('emails', '42', { result: { messageId: 'abc' } });
 * ```
 */
export interface CompletedFields extends JobEventFields {
  /** What the job returned, any JSON. */
  result?: unknown;
}

/**
 * Fields of a `failed` event.
 *
 * @example
 * ```ts
 * reporter.failed('emails', '42', { error, attempt: 1, willRetry: true, retryAt: Date.now() + 5000 });
 * ```
 */
export interface FailedFields extends JobEventFields {
  /** What the job threw: an Error (message and stack are kept), a string or anything else. */
  error: unknown;
  /** Whether the queue will run the job again. Default false. */
  willRetry?: boolean;
  /** When the next attempt is due, epoch ms or a Date. */
  retryAt?: number | Date;
}

/**
 * Fields of a `cancelled` event.
 *
 * @example
 * ```ts
 * reporter.cancelled('emails', '42', { reason: 'customer deleted' });
 * ```
 */
export interface CancelledFields extends JobEventFields {
  reason?: string;
}

/**
 * A command the dashboard asked for (retry or cancel a job), handed to
 * {@link ReporterOptions.onCommand}. Field meanings are those of the
 * protocol's `GET api/ingest/commands`.
 *
 * @example
 * ```ts
 * const onCommand = async (command: ReporterCommand) => {
 *   if (command.type === 'retry') await queue.add(command.name ?? 'job', command.data);
 * };
 * ```
 */
export interface ReporterCommand {
  id: string;
  /** `retry` or `cancel` today; a handler should refuse types it does not know. */
  type: 'retry' | 'cancel' | (string & {});
  queue: string;
  jobId: string;
  name?: string;
  /** The job's data as the collector knows it, so a worker can enqueue it again. */
  data?: unknown;
  /** The last attempt the collector knows of: a run started for this command is `attempt + 1`. */
  attempt?: number;
  createdAt?: number;
}

/**
 * What an `onCommand` handler resolves with: nothing, a message, or a message
 * and the id of the new job a retry ran as (for queue systems that cannot
 * run a finished job again under its own id).
 *
 * @example
 * ```ts
 * const answer: CommandAnswer = { message: 'added again', retriedAs: '1043' };
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that answers nothing is an `async () => {}`, a Promise<void>.
export type CommandAnswer = void | string | { message?: string; retriedAs?: string };

/**
 * What went wrong, as handed to {@link ReporterOptions.onError}. The reporter
 * never throws these; it only reports them.
 *
 * @example
 * ```ts
 * const onError = (error: ReporterError) => {
 *   if (error.kind !== 'network') logger.warn(error.message, { kind: error.kind, status: error.status });
 * };
 * ```
 */
export class ReporterError extends Error {
  /**
   * - `network`: a request failed (refused, reset, timed out); it is retried.
   * - `http`: the collector answered an error status (retried when 5xx, 408 or 429).
   * - `dropped`: events were given up (buffer full, batch refused with a 4xx, closed before sent).
   * - `rejected`: the collector refused events as invalid; they are not resent.
   * - `invalid`: a report call got bad input; the event (or the bad field) was left out.
   * - `command`: a command handler failed or answered with an error.
   * - `poll`: polling for commands failed.
   */
  readonly kind: 'network' | 'http' | 'dropped' | 'rejected' | 'invalid' | 'command' | 'poll';
  /** The HTTP status, for `http` and `poll` errors that had one. */
  readonly status: number | undefined;

  constructor(
    kind: ReporterError['kind'],
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReporterError';
    this.kind = kind;
    this.status = options.status;
  }
}

/**
 * Options of {@link createReporter}.
 *
 * @example
 * ```ts
 * const options: ReporterOptions = {
 *   url: 'http://dashboard:3000/admin/queues',
 *   token: process.env.QADMIN_INGEST_TOKEN!,
 *   workerName: 'mailer',
 *   queues: ['emails'],
 * };
 * ```
 */
export interface ReporterOptions {
  /** The dashboard's mount URL, e.g. `http://host:3000/admin/queues`. */
  url: string;
  /** One of the collector's ingest tokens. */
  token: string;
  /** Id of this worker (≤ 256 characters). Default `<host>:<pid>:<random>`. */
  workerId?: string;
  /** A human-readable name for this worker, shown in the dashboard. */
  workerName?: string;
  /**
   * Queues this worker serves: named in heartbeats and polled for commands.
   * Queues of reported job events are added as they appear.
   */
  queues?: string[];
  /** How many jobs this worker runs at once, for the dashboard. */
  concurrency?: number;
  /** Most events per request (the protocol allows 1,000). Default 200. */
  batchSize?: number;
  /** Most bytes of JSON per request; keep below the dashboard's body limit (1 MiB by default). Default 768 KiB. */
  maxBatchBytes?: number;
  /** How long an event may wait for companions before a request is sent. Default 250 ms. */
  flushIntervalMs?: number;
  /** Most events held while the collector is away; beyond, the oldest are dropped and counted. Default 10,000. */
  maxBuffered?: number;
  /** Milliseconds between heartbeats. Default 10,000. */
  heartbeatMs?: number;
  /** Milliseconds between polls for commands; 0 turns polling off. Default 2,000. Polls only with `onCommand`. */
  commandPollMs?: number;
  /**
   * Carries out a command (retry, cancel) through the queue's own API. What it
   * resolves with becomes the result: a string is its message; an object may
   * also say the retry ran as a new job (`retriedAs`, its id in the same
   * queue). A rejection is answered as `ok: false` with its message. The same
   * command id never runs twice at once.
   */
  onCommand?: (command: ReporterCommand) => Promise<CommandAnswer>;
  /** The fetch to use. Default the global one. */
  fetch?: typeof globalThis.fetch;
  /** Told of every failure. Default: a `console.warn`, at most once a minute per kind. */
  onError?: (error: ReporterError) => void;
  /** Longest a request may take before it is abandoned (and retried). Default 10,000 ms. */
  timeoutMs?: number;
  /** First retry delay; each next one doubles, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Longest retry delay (and longest `Retry-After` honoured). Default 30,000 ms. */
  retryMaxMs?: number;
  /**
   * When the process is about to exit on its own (Node's `beforeExit`), close
   * the reporter: a last heartbeat and what is buffered, within 2 s. Default true.
   */
  closeOnExit?: boolean;
}

/**
 * Counters of a reporter, from its creation.
 *
 * @example
 * ```ts
 * const { sent, dropped, buffered } = reporter.stats();
 * ```
 */
export interface ReporterStats {
  /** Events the collector took (stored now, or known already). */
  sent: number;
  /** Events given up: pushed out of a full buffer, in a batch refused with a 4xx, or unsent at close. */
  dropped: number;
  /** Events refused as invalid: by the collector (never resent) or by the report call itself (bad input). */
  rejected: number;
  /** Requests that failed and were tried again. */
  retries: number;
  /** Events waiting to be sent now, including those of the request in flight. */
  buffered: number;
}

/**
 * Options of {@link Reporter.instrument}.
 *
 * @example
 * ```ts
 * const run = reporter.instrument('emails', 'send', send, {
 *   jobId: (job) => job.id,
 *   attempt: (job) => job.attemptsMade + 1,
 *   data: (job) => job.data,
 * });
 * ```
 */
export interface InstrumentOptions<A extends unknown[]> {
  /** The job's id from the call's arguments. Default: a new id per call. */
  jobId?: (...args: A) => string | number;
  /** Which attempt this call is. Default: not sent (the collector takes 1). */
  attempt?: (...args: A) => number | undefined;
  /** The job's data for the `started` event. Default: the first argument. */
  data?: (...args: A) => unknown;
  /** Whether the queue will run the job again after `error`. Default false. */
  willRetry?: (error: unknown, ...args: A) => boolean;
}

/**
 * A reporter: synchronous report calls that never throw, a background sender,
 * heartbeats and command polling. See {@link createReporter}.
 *
 * @example
 * ```ts
 * reporter.started('emails', job.id, { attempt: 1 });
 * reporter.completed('emails', job.id, { result });
 * await reporter.close();
 * ```
 */
export interface Reporter {
  /** This worker's id, as sent in heartbeats and job events. */
  readonly workerId: string;
  queued(queue: string, jobId: string | number, fields?: QueuedFields): void;
  started(queue: string, jobId: string | number, fields?: StartedFields): void;
  progress(queue: string, jobId: string | number, fields: ProgressFields): void;
  log(queue: string, jobId: string | number, fields: LogFields): void;
  completed(queue: string, jobId: string | number, fields?: CompletedFields): void;
  failed(queue: string, jobId: string | number, fields: FailedFields): void;
  cancelled(queue: string, jobId: string | number, fields?: CancelledFields): void;
  /**
   * Wraps an async job function: reports `started`, then `completed` with its
   * result or `failed` with its error and stack, and returns or rethrows
   * exactly what `fn` did.
   */
  instrument<A extends unknown[], R>(
    queue: string,
    jobName: string,
    fn: (...args: A) => R | Promise<R>,
    options?: InstrumentOptions<A>,
  ): (...args: A) => Promise<R>;
  /** Adds queues to those this worker serves (heartbeats, command polling). */
  addQueues(queues: readonly string[]): void;
  /**
   * Sends what is buffered now, and resolves `true` once it has all left the
   * buffer (sent, refused or dropped), `false` after `timeoutMs` (default
   * 10,000). Never rejects.
   */
  flush(options?: { timeoutMs?: number }): Promise<boolean>;
  /**
   * Stops heartbeats and polling, waits for running commands, sends a last
   * heartbeat with `stopping: true` and everything buffered, for at most
   * `timeoutMs` (default 5,000); what is still unsent then is dropped. Later
   * report calls are ignored. Idempotent; never rejects.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  stats(): ReporterStats;
}

// ------------------------------------------------------------- constants

const MAX_NAME = 256;
const MAX_LOG_MESSAGE = 64 * 1024;
const MAX_STACK = 16 * 1024;
const MAX_ERROR_MESSAGE = 8 * 1024;
/** Queues learnt from events: enough for any worker, bounded against a bug that invents names. */
const MAX_SERVED_QUEUES = 1000;
/** Job keys counted as active: bounded so `started` without an end cannot grow memory. */
const MAX_ACTIVE_TRACKED = 10_000;
/** Answered commands remembered, so one offered again is answered again rather than run again. */
const MAX_FINISHED_COMMANDS = 1000;
const MAX_PENDING_RESULTS = 1000;
const EXIT_CLOSE_MS = 2000;
const WARN_EVERY_MS = 60_000;

// -------------------------------------------------------------- helpers

type Wire = Record<string, unknown>;

/** An event waiting to be sent; `seq` orders flush waiters, `json` is cached across retries. */
interface Pending {
  seq: number;
  event: Wire;
  json?: string;
}

/** A fixed-capacity FIFO: O(1) push (evicting the oldest when full) and shift. */
class Ring<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  /** Adds `item`; returns the oldest item it pushed out when full. */
  push(item: T): T | undefined {
    if (this.size === this.capacity) {
      const evicted = this.#items[this.#head];
      this.#items[this.#head] = item;
      this.#head = (this.#head + 1) % this.capacity;
      return evicted;
    }
    this.#items[(this.#head + this.size) % this.capacity] = item;
    this.size++;
    return undefined;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.size--;
    return item;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.size = 0;
  }
}

function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

/** `String(value)` for values whose `toString` may throw or be absent. */
function describe(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    const text = String(value);
    return text === '[object Object]' ? safeJson(value) : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `{ message, stack? }` of whatever a job threw, without letting a hostile value throw. */
function toWireError(error: unknown): { message: string; stack?: string } {
  let message: unknown;
  let stack: unknown;
  try {
    if (error !== null && typeof error === 'object') {
      message = (error as { message?: unknown }).message;
      stack = (error as { stack?: unknown }).stack;
    }
  } catch {}
  const text = typeof message === 'string' && message !== '' ? message : describe(error);
  const wire: { message: string; stack?: string } = {
    message: cut(text || 'Error', MAX_ERROR_MESSAGE),
  };
  if (typeof stack === 'string' && stack !== '') wire.stack = cut(stack, MAX_STACK);
  return wire;
}

function toEpoch(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value` when it is JSON-shaped data (a primitive, array or plain object), else undefined. */
function plainOrUndefined(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint'
      ? undefined
      : value;
  }
  if (Array.isArray(value)) return value;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? value : undefined;
}

function randomPrefix(): string {
  const uuid = globalThis.crypto?.randomUUID?.() ?? `${Math.random()}${Date.now()}`;
  return uuid.replace(/[^0-9a-z]/gi, '').slice(0, 12);
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), if it is usable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Replaced heavy fields in an event that cannot be sent as it is. */
function marker(reason: 'unserializable' | 'too-large', detail: string | number) {
  return { qadminReporter: reason, detail };
}

const HEAVY_FIELDS = new Set(['data', 'result', 'progress']);
/** The collector's limit on the JSON of one `data`, `result` or `progress`. */
const MAX_FIELD_JSON = 256 * 1024;

interface Timer {
  unref?(): unknown;
  ref?(): unknown;
}

function unref<T>(timer: T): T {
  (timer as Timer).unref?.();
  return timer;
}

let exitHookInstalled = false;
const closeOnExit = new Set<() => Promise<void>>();

function onBeforeExit(): void {
  const closers = [...closeOnExit];
  closeOnExit.clear();
  for (const close of closers) void close();
}

function registerExitClose(close: () => Promise<void>): void {
  const proc = globalThis.process;
  if (typeof proc?.on !== 'function') return;
  closeOnExit.add(close);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    proc.on('beforeExit', onBeforeExit);
  }
}

function positiveOption(name: string, value: number | undefined, fallback: number, zero = false) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zero && value === 0)) {
    throw new TypeError(
      `createReporter: ${name} must be a ${zero ? 'non-negative' : 'positive'} number`,
    );
  }
  return value;
}

type SendOutcome =
  | { kind: 'ok'; rejected: { index: number; reason: string; field?: string }[] }
  | { kind: 'retry'; delayMs: number | undefined; error: ReporterError }
  | { kind: 'drop'; error: ReporterError }
  | { kind: 'split'; error: ReporterError }
  | { kind: 'aborted' };

// ------------------------------------------------------------- reporter

/**
 * Creates a reporter for one worker process. Report calls (`queued`,
 * `started`, ...) are synchronous, O(1), never throw and never wait on the
 * network: they put the event in a bounded buffer that a background loop
 * sends in batches to `<url>/api/ingest/events`, retrying network errors,
 * 5xx, 408 and 429 with exponential backoff and jitter (honouring
 * `Retry-After`). While the collector is away the buffer keeps the newest
 * `maxBuffered` events and counts the ones it drops. Heartbeats name the
 * worker and its queues; with `onCommand`, it polls
 * `<url>/api/ingest/commands` and answers each command with a
 * `command-result` event. Its timers are unref'd: a reporter never keeps a
 * process alive (only an awaited `flush()` or `close()` does, until its
 * deadline), and when the process is about to exit on its own it closes
 * itself (`closeOnExit`). Throws a TypeError only for bad options.
 *
 * @example
 * ```ts
 * import { createReporter } from '@qadmin/reporter';
 *
 * const reporter = createReporter({
 *   url: 'http://localhost:3000/admin/queues',
 *   token: process.env.QADMIN_INGEST_TOKEN!,
 *   queues: ['emails'],
 * });
 * const send = reporter.instrument('emails', 'send', async (to: string) => mailer.send(to));
 * await send('a@example.com');
 * process.once('SIGTERM', () => void reporter.close());
 * ```
 */
export function createReporter(options: ReporterOptions): Reporter {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('createReporter: options are required ({ url, token })');
  }
  let base: URL;
  try {
    base = new URL(String(options.url).replace(/\/*$/, '/'));
  } catch {
    throw new TypeError(`createReporter: url ${JSON.stringify(options.url)} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError('createReporter: url must be http: or https:');
  }
  if (typeof options.token !== 'string' || options.token.trim() === '') {
    throw new TypeError('createReporter: token must be a non-empty string');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new TypeError('createReporter: no fetch available; pass options.fetch');
  }
  const batchSize = Math.min(
    1000,
    Math.floor(positiveOption('batchSize', options.batchSize, 200)) || 1,
  );
  const maxBatchBytes = positiveOption('maxBatchBytes', options.maxBatchBytes, 768 * 1024);
  const flushIntervalMs = positiveOption('flushIntervalMs', options.flushIntervalMs, 250, true);
  const maxBuffered = Math.floor(positiveOption('maxBuffered', options.maxBuffered, 10_000)) || 1;
  const heartbeatMs = positiveOption('heartbeatMs', options.heartbeatMs, 10_000);
  const commandPollMs = positiveOption('commandPollMs', options.commandPollMs, 2000, true);
  const timeoutMs = positiveOption('timeoutMs', options.timeoutMs, 10_000);
  const retryBaseMs = positiveOption('retryBaseMs', options.retryBaseMs, 500);
  const retryMaxMs = positiveOption('retryMaxMs', options.retryMaxMs, 30_000);
  const onCommand = options.onCommand;
  if (onCommand !== undefined && typeof onCommand !== 'function') {
    throw new TypeError('createReporter: onCommand must be a function');
  }

  const prefix = randomPrefix();
  const host = (() => {
    try {
      return hostname();
    } catch {
      return 'unknown-host';
    }
  })();
  const pid = globalThis.process?.pid;
  const workerId =
    typeof options.workerId === 'string' && options.workerId !== ''
      ? options.workerId.slice(0, MAX_NAME)
      : `${host}:${pid ?? 0}:${prefix.slice(0, 6)}`.slice(0, MAX_NAME);
  const workerName =
    typeof options.workerName === 'string' ? options.workerName.slice(0, MAX_NAME) : undefined;
  const startedAt = Date.now();
  const eventsUrl = new URL('api/ingest/events', base).href;
  const commandsUrl = new URL('api/ingest/commands', base);
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };

  const counters = { sent: 0, dropped: 0, rejected: 0, retries: 0 };
  const ring = new Ring<Pending>(maxBuffered);
  /** Command results go ahead of job events and are never pushed out by them. */
  const results: Pending[] = [];
  /** Only the newest heartbeat matters: a new one replaces one not yet sent. */
  let heartbeat: Pending | undefined;
  let inFlight: Pending[] = [];
  let seq = 0;

  const served = new Set<string>();
  const active = new Map<string, true>();
  const runningCommands = new Set<string>();
  const finishedCommands = new Map<string, { result: Pending; sent: boolean }>();
  const commandsDone = new Set<() => void>();

  let pumping = false;
  let immediate = false;
  let lastDropReport = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let pollFailures = 0;
  /** Wakes the backoff wait early (close). */
  let wake: (() => void) | undefined;
  /** While someone awaits flush() or close(), waits are ref'd so the process lets them finish. */
  let holders = 0;
  let closing: { deadline: number } | undefined;
  /** Aborted at the close deadline: cuts the request in flight, whenever it started. */
  const stop = new AbortController();
  let closed = false;
  /** Set once the reporter is built: before that, queues are only collected. */
  let started = false;
  let closePromise: Promise<void> | undefined;
  const flushWaiters = new Set<{ target: number; resolve: (drained: boolean) => void }>();

  /**
   * Unrefs a timer of the send loop unless someone awaits flush() or close():
   * then it must run (and in Node 20's `beforeExit`, a request with an abort
   * signal started from an unref'd immediate never reaches the network).
   */
  function background<T>(timer: T): T {
    return holders === 0 ? unref(timer) : timer;
  }

  // --------------------------------------------------------------- errors

  const lastWarned = new Map<string, number>();
  const onError =
    options.onError ??
    ((error: ReporterError) => {
      const now = Date.now();
      if (now - (lastWarned.get(error.kind) ?? 0) < WARN_EVERY_MS) return;
      lastWarned.set(error.kind, now);
      console.warn(`[qadmin reporter] ${error.message}`);
    });
  const report = (error: ReporterError) => {
    try {
      onError(error);
    } catch {}
  };

  // --------------------------------------------------------------- buffer

  const nextSeq = () => ++seq;
  const eventId = (n: number) => `${prefix}-${n.toString(36)}`;

  function pending(type: string, fields: Wire, time?: number): Pending {
    const n = nextSeq();
    return { seq: n, event: { id: eventId(n), type, time: time ?? Date.now(), ...fields } };
  }

  function enqueue(item: Pending): void {
    const evicted = ring.push(item);
    if (evicted) {
      counters.dropped++;
      // Once a second at most: while the collector is away, every report call drops one.
      const now = Date.now();
      if (now - lastDropReport >= 1000) {
        lastDropReport = now;
        report(
          new ReporterError(
            'dropped',
            `buffer full (${maxBuffered} events): dropping the oldest; ${counters.dropped} dropped so far`,
          ),
        );
      }
      settleWaiters();
    }
    schedule(ring.size >= batchSize);
  }

  function schedule(now: boolean): void {
    if (pumping || closed) return;
    if (now || flushIntervalMs === 0) {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      if (!immediate) {
        immediate = true;
        background(
          setImmediate(() => {
            immediate = false;
            void pump();
          }),
        );
      }
    } else if (flushTimer === undefined) {
      flushTimer = background(setTimeout(pump, flushIntervalMs));
    }
  }

  function hasPending(): boolean {
    return heartbeat !== undefined || results.length > 0 || ring.size > 0;
  }

  /** The smallest sequence number not yet settled, for flush waiters. */
  function oldestOutstanding(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const item of inFlight) oldest = Math.min(oldest, item.seq);
    if (heartbeat) oldest = Math.min(oldest, heartbeat.seq);
    if (results[0]) oldest = Math.min(oldest, results[0].seq);
    const head = ring.peek();
    if (head) oldest = Math.min(oldest, head.seq);
    return oldest;
  }

  function settleWaiters(): void {
    if (flushWaiters.size === 0) return;
    const oldest = oldestOutstanding();
    for (const waiter of flushWaiters) {
      if (oldest > waiter.target) {
        flushWaiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }

  /**
   * The JSON of an event, made sendable if it is not: a `data`, `result` or
   * `progress` that is not JSON (cycles, BigInt) or is longer than the
   * collector takes is replaced by a marker, so the event itself still
   * arrives. Null (counted, reported) when even that fails.
   */
  function encode(item: Pending): string | null {
    if (item.json !== undefined) return item.json;
    const event = item.event;
    const light: Wire = {};
    const heavy: string[] = [];
    const problems: string[] = [];
    for (const key of Object.keys(event)) {
      const value = event[key];
      if (!HEAVY_FIELDS.has(key)) {
        light[key] = value;
        continue;
      }
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch (error) {
        problems.push(`${key} is not JSON (${describe(error)})`);
        json = JSON.stringify(marker('unserializable', describe(error)));
      }
      if (json === undefined) continue;
      if (json.length > MAX_FIELD_JSON) {
        problems.push(`${key} is ${json.length} characters of JSON (at most ${MAX_FIELD_JSON})`);
        json = JSON.stringify(marker('too-large', json.length));
      }
      heavy.push(`${JSON.stringify(key)}:${json}`);
    }
    let json: string;
    try {
      json = JSON.stringify(light);
    } catch (error) {
      counters.rejected++;
      report(
        new ReporterError('invalid', `event ${String(event.type)} is not JSON: ${describe(error)}`),
      );
      return null;
    }
    if (heavy.length > 0) json = `${json.slice(0, -1)},${heavy.join(',')}}`;
    if (utf8Length(json) > maxBatchBytes) {
      problems.push(`the event is over maxBatchBytes (${maxBatchBytes})`);
      const slim: Wire = { ...light };
      for (const key of Object.keys(event)) {
        if (HEAVY_FIELDS.has(key) && event[key] !== undefined) {
          slim[key] = marker('too-large', json.length);
        }
      }
      if (typeof slim.message === 'string') slim.message = cut(slim.message, 1024);
      if (isPlainObject(slim.error)) {
        const { message, stack } = slim.error;
        slim.error = {
          message: cut(String(message), 1024),
          ...(typeof stack === 'string' ? { stack: cut(stack, 1024) } : {}),
        };
      }
      json = JSON.stringify(slim);
      if (utf8Length(json) > maxBatchBytes) {
        counters.rejected++;
        report(new ReporterError('invalid', `event ${String(event.type)} is too large to send`));
        return null;
      }
    }
    if (problems.length > 0) {
      report(
        new ReporterError(
          'invalid',
          `${String(event.type)} of ${String(event.queue)}/${String(event.jobId)}: ${problems.join('; ')}; sent with a marker in its place`,
        ),
      );
    }
    item.json = json;
    return json;
  }

  /** The next batch: the heartbeat, command results, then the oldest job events, within the limits. */
  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 16;
    const fits = (json: string) => {
      const size = utf8Length(json) + 1;
      if (batch.length > 0 && (bytes + size > maxBatchBytes || batch.length >= batchSize)) {
        return false;
      }
      bytes += size;
      return true;
    };
    if (heartbeat) {
      Object.assign(heartbeat.event, heartbeatFields(), { time: Date.now() });
      const json = encode(heartbeat);
      if (json !== null) {
        fits(json);
        batch.push(heartbeat);
      }
      heartbeat = undefined;
    }
    while (results.length > 0) {
      const item = results[0]!;
      const json = encode(item);
      if (json === null) {
        results.shift();
        continue;
      }
      if (!fits(json)) return batch;
      results.shift();
      batch.push(item);
    }
    while (ring.size > 0) {
      const item = ring.peek()!;
      const json = encode(item);
      if (json === null) {
        ring.shift();
        continue;
      }
      if (!fits(json)) break;
      ring.shift();
      batch.push(item);
    }
    return batch;
  }

  // ---------------------------------------------------------------- sending

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    try {
      while (hasPending() && !closed) {
        inFlight = takeBatch();
        if (inFlight.length > 0) await deliver(inFlight);
        inFlight = [];
        settleWaiters();
      }
    } catch (error) {
      // Nothing above throws by design; if it ever does, the events are lost, not the worker.
      counters.dropped += inFlight.length;
      inFlight = [];
      report(new ReporterError('dropped', `reporter bug: ${describe(error)}`, { cause: error }));
    } finally {
      pumping = false;
      settleWaiters();
      if (hasPending() && !closed) schedule(closing !== undefined);
    }
  }

  /** Sends one batch until it is taken, refused, or the close deadline passes. */
  async function deliver(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await post(batch);
      if (outcome.kind === 'ok') {
        const refused = outcome.rejected.filter((r) => r.index >= 0 && r.index < batch.length);
        counters.sent += batch.length - refused.length;
        counters.rejected += refused.length;
        if (refused.length > 0) {
          const first = refused[0]!;
          report(
            new ReporterError(
              'rejected',
              `collector refused ${refused.length} event(s), e.g. ${String(batch[first.index]?.event.type)}: ${first.field ?? ''} ${first.reason}`.trim(),
            ),
          );
        }
        markResultsSent(batch);
        return;
      }
      if (outcome.kind === 'aborted') {
        return giveUp(batch, 'the reporter closed before they were sent');
      }
      if (outcome.kind === 'drop') {
        report(outcome.error);
        return giveUp(batch, outcome.error.message);
      }
      if (outcome.kind === 'split') {
        if (batch.length === 1) {
          counters.rejected++;
          report(outcome.error);
          return;
        }
        const middle = Math.ceil(batch.length / 2);
        await deliver(batch.slice(0, middle));
        await deliver(batch.slice(middle));
        return;
      }
      counters.retries++;
      report(outcome.error);
      const exponential = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt, 30));
      const delay =
        outcome.delayMs !== undefined
          ? Math.min(outcome.delayMs, retryMaxMs)
          : exponential / 2 + Math.random() * (exponential / 2);
      const stillOpen = await pause(delay);
      if (!stillOpen) return giveUp(batch, 'the reporter closed before they were sent');
    }
  }

  function giveUp(batch: Pending[], why: string): void {
    counters.dropped += batch.length;
    if (closing) report(new ReporterError('dropped', `${batch.length} event(s) dropped: ${why}`));
  }

  function markResultsSent(batch: Pending[]): void {
    for (const item of batch) {
      if (item.event.type !== 'command-result') continue;
      const entry = finishedCommands.get(String(item.event.commandId));
      if (entry && entry.result === item) entry.sent = true;
    }
  }

  /**
   * Waits `ms`, cut short by close(); resolves false once the close deadline
   * has passed. Ref'd only while someone awaits flush() or close().
   */
  function pause(ms: number): Promise<boolean> {
    if (closing && Date.now() >= closing.deadline) return Promise.resolve(false);
    const wait = closing ? Math.min(ms, closing.deadline - Date.now()) : ms;
    return new Promise((resolve) => {
      const timer = setTimeout(done, wait);
      background(timer);
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        resolve(!closing || Date.now() < closing.deadline);
      }
      wake = done;
    });
  }

  /**
   * The signal of one request: aborted after `timeoutMs` or by close().
   * Hand-made so that its timer goes as soon as the answer comes
   * (`AbortSignal.timeout`'s cannot be cleared).
   */
  function requestSignal(): { signal: AbortSignal; timedOut(): boolean; done(): void } {
    const controller = new AbortController();
    let timedOut = false;
    const timer = unref(
      setTimeout(() => {
        timedOut = true;
        controller.abort(new ReporterError('network', `no answer within ${timeoutMs} ms`));
      }, timeoutMs),
    );
    const onStop = () => controller.abort(stop.signal.reason);
    if (stop.signal.aborted) onStop();
    else stop.signal.addEventListener('abort', onStop, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      done() {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', onStop);
      },
    };
  }

  async function post(batch: Pending[]): Promise<SendOutcome> {
    const body = `{"events":[${batch.map((item) => item.json).join(',')}]}`;
    const request = requestSignal();
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(eventsUrl, {
        method: 'POST',
        headers,
        body,
        signal: request.signal,
      });
      text = await response.text();
    } catch (error) {
      if (stop.signal.aborted) return { kind: 'aborted' };
      const timedOut = request.timedOut();
      return {
        kind: 'retry',
        delayMs: undefined,
        error: new ReporterError(
          'network',
          `sending ${batch.length} event(s) to ${eventsUrl} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : describe((error as { cause?: unknown })?.cause ?? error)}`,
          { cause: error },
        ),
      };
    } finally {
      request.done();
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      let rejected: { index: number; reason: string; field?: string }[] = [];
      try {
        const answer = JSON.parse(text) as { rejected?: unknown };
        if (Array.isArray(answer.rejected)) {
          rejected = answer.rejected.filter(
            (r): r is { index: number; reason: string; field?: string } =>
              isPlainObject(r) && Number.isInteger(r.index),
          );
        }
      } catch {}
      return { kind: 'ok', rejected };
    }
    const detail = problemDetail(text);
    const error = new ReporterError(
      'http',
      `collector answered ${status} to ${batch.length} event(s)${detail ? `: ${detail}` : ''}`,
      { status },
    );
    if (status === 413) return { kind: 'split', error };
    if (status >= 500 || status === 408 || status === 429) {
      return { kind: 'retry', delayMs: retryAfterMs(response.headers.get('retry-after')), error };
    }
    return { kind: 'drop', error };
  }

  function problemDetail(text: string): string {
    try {
      const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
      return cut(describe(problem.detail ?? problem.title ?? ''), 300);
    } catch {
      return cut(text, 300);
    }
  }

  // ------------------------------------------------------------ heartbeats

  /**
   * Queues a heartbeat. Its fields are read when it is sent (see
   * {@link heartbeatFields}), so it tells the state of that moment.
   */
  function beat(stopping = false): void {
    // A heartbeat replaced before it was sent is settled: flush waiters may move on.
    if (heartbeat) queueMicrotask(settleWaiters);
    heartbeat = pending('heartbeat', stopping ? { stopping: true } : {});
    schedule(stopping);
  }

  function heartbeatFields(): Wire {
    const fields: Wire = {
      worker: workerId,
      queues: [...served],
      host,
      activeJobs: active.size,
      startedAt,
    };
    if (workerName !== undefined) fields.name = workerName;
    if (pid !== undefined) fields.pid = pid;
    if (typeof options.concurrency === 'number' && options.concurrency > 0) {
      fields.concurrency = Math.floor(options.concurrency);
    }
    return fields;
  }

  // -------------------------------------------------------------- commands

  function schedulePoll(): void {
    if (closing || closed || !onCommand || commandPollMs === 0) return;
    const delay = Math.min(30_000, commandPollMs * 2 ** Math.min(pollFailures, 5));
    pollTimer = unref(setTimeout(poll, delay));
  }

  async function poll(): Promise<void> {
    pollTimer = undefined;
    if (closing || closed) return;
    if (served.size > 0) {
      const url = new URL(commandsUrl);
      url.searchParams.set('worker', workerId);
      url.searchParams.set('queues', [...served].join(','));
      const request = requestSignal();
      try {
        const response = await fetchImpl(url.href, {
          headers: { authorization: headers.authorization, accept: 'application/json' },
          signal: request.signal,
        });
        const text = await response.text();
        if (!response.ok) {
          pollFailures++;
          const detail = problemDetail(text);
          report(
            new ReporterError(
              'poll',
              `polling for commands: collector answered ${response.status}${detail ? `: ${detail}` : ''}`,
              { status: response.status },
            ),
          );
        } else {
          pollFailures = 0;
          const answer = JSON.parse(text) as { commands?: unknown };
          if (Array.isArray(answer.commands)) {
            for (const command of answer.commands) take(command);
          }
        }
      } catch (error) {
        pollFailures++;
        report(
          new ReporterError(
            'poll',
            `polling for commands failed: ${request.timedOut() ? `no answer within ${timeoutMs} ms` : describe((error as { cause?: unknown })?.cause ?? error)}`,
            { cause: error },
          ),
        );
      } finally {
        request.done();
      }
    }
    schedulePoll();
  }

  function take(raw: unknown): void {
    if (
      !isPlainObject(raw) ||
      typeof raw.id !== 'string' ||
      typeof raw.type !== 'string' ||
      typeof raw.queue !== 'string' ||
      typeof raw.jobId !== 'string'
    ) {
      report(
        new ReporterError('command', `ignored a malformed command: ${cut(safeJson(raw), 200)}`),
      );
      return;
    }
    const command = raw as unknown as ReporterCommand;
    if (closing || closed || runningCommands.has(command.id)) return;
    const finished = finishedCommands.get(command.id);
    if (finished) {
      // Offered again after our answer reached the collector: the answer was lost, not the run.
      if (finished.sent) {
        const { worker, commandId, ok, message, retriedAs } = finished.result.event;
        const again = pending('command-result', {
          worker,
          commandId,
          ok,
          ...(message === undefined ? {} : { message }),
          ...(retriedAs === undefined ? {} : { retriedAs }),
        });
        finished.result = again;
        finished.sent = false;
        pushResult(again);
      }
      return;
    }
    runningCommands.add(command.id);
    void run(command);
  }

  async function run(command: ReporterCommand): Promise<void> {
    let ok = true;
    let message: string | undefined;
    let retriedAs: string | undefined;
    try {
      const answer = await onCommand!(command);
      if (typeof answer === 'string') message = cut(answer, 4096);
      else if (answer !== undefined && answer !== null && typeof answer === 'object') {
        if (typeof answer.message === 'string') message = cut(answer.message, 4096);
        if (typeof answer.retriedAs === 'string' && answer.retriedAs !== '') {
          retriedAs = cut(answer.retriedAs, 256);
        }
      }
    } catch (error) {
      ok = false;
      message = cut(toWireError(error).message, 4096);
      report(
        new ReporterError(
          'command',
          `command ${command.type} of ${command.queue}/${command.jobId} failed: ${message}`,
          { cause: error },
        ),
      );
    }
    runningCommands.delete(command.id);
    const fields: Wire = { worker: workerId, commandId: command.id, ok };
    if (message !== undefined) fields.message = message;
    if (retriedAs !== undefined) fields.retriedAs = retriedAs;
    const result = pending('command-result', fields);
    finishedCommands.set(command.id, { result, sent: false });
    if (finishedCommands.size > MAX_FINISHED_COMMANDS) {
      finishedCommands.delete(finishedCommands.keys().next().value!);
    }
    pushResult(result);
    if (runningCommands.size === 0) {
      for (const done of commandsDone) done();
      commandsDone.clear();
    }
  }

  function pushResult(result: Pending): void {
    results.push(result);
    if (results.length > MAX_PENDING_RESULTS) {
      results.shift();
      counters.dropped++;
    }
    schedule(true);
  }

  // ----------------------------------------------------------- job events

  function refuse(what: string): void {
    counters.rejected++;
    report(new ReporterError('invalid', what));
  }

  /** The common part of a job event, or undefined (counted, reported) when it cannot be sent. */
  function jobEvent(
    type: string,
    queue: unknown,
    jobId: unknown,
    fields: unknown,
  ): Pending | undefined {
    if (closing || closed) {
      counters.dropped++;
      report(new ReporterError('dropped', `${type} event after close() was ignored`));
      return undefined;
    }
    if (typeof queue !== 'string' || queue === '' || queue.length > MAX_NAME) {
      refuse(
        `${type}: queue must be a string of 1 to ${MAX_NAME} characters, got ${cut(describe(queue), 80)}`,
      );
      return undefined;
    }
    const id = typeof jobId === 'number' && Number.isFinite(jobId) ? String(jobId) : jobId;
    if (typeof id !== 'string' || id === '' || id.length > MAX_NAME) {
      refuse(
        `${type} of ${queue}: jobId must be a string or number of 1 to ${MAX_NAME} characters, got ${cut(describe(jobId), 80)}`,
      );
      return undefined;
    }
    if (fields !== undefined && !isPlainObject(fields)) {
      refuse(`${type} of ${queue}/${id}: fields must be an object`);
      return undefined;
    }
    const given = (fields ?? {}) as JobEventFields;
    const wire: Wire = { queue, jobId: id, worker: workerId };
    if (given.name !== undefined) {
      if (typeof given.name === 'string' && given.name.length <= MAX_NAME) wire.name = given.name;
      else badField(type, queue, id, 'name', given.name);
    }
    if (given.attempt !== undefined) {
      if (Number.isInteger(given.attempt) && given.attempt >= 1) wire.attempt = given.attempt;
      else badField(type, queue, id, 'attempt', given.attempt);
    }
    serve(queue);
    return pending(type, wire, toEpoch(given.time));
  }

  /** Adds a queue to those served; a new one is announced with the next request. */
  function serve(queue: string): void {
    if (served.has(queue) || served.size >= MAX_SERVED_QUEUES) return;
    served.add(queue);
    if (!closing && !closed && started) beat();
  }

  function badField(type: string, queue: string, id: string, field: string, value: unknown) {
    report(
      new ReporterError(
        'invalid',
        `${type} of ${queue}/${id}: ignored ${field} ${cut(describe(value), 80)}`,
      ),
    );
  }

  /** Runs a report call so that nothing it meets (getters, proxies) escapes into the worker. */
  function guarded(type: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      refuse(`${type}: ${describe(error)}`);
    }
  }

  const activeKey = (item: Pending) => `${item.event.queue}\u0000${item.event.jobId}`;

  function markActive(item: Pending): void {
    const key = activeKey(item);
    active.delete(key);
    active.set(key, true);
    if (active.size > MAX_ACTIVE_TRACKED) active.delete(active.keys().next().value!);
  }

  const reporter: Reporter = {
    workerId,

    queued(queue, jobId, fields) {
      guarded('queued', () => {
        const item = jobEvent('queued', queue, jobId, fields);
        if (!item) return;
        const given = fields ?? {};
        const wire = item.event;
        const { queue: q, jobId: id } = wire as { queue: string; jobId: string };
        if ('data' in given) wire.data = given.data;
        if (given.attemptsAllowed !== undefined) {
          if (Number.isInteger(given.attemptsAllowed) && given.attemptsAllowed >= 1) {
            wire.attemptsAllowed = given.attemptsAllowed;
          } else badField('queued', q, id, 'attemptsAllowed', given.attemptsAllowed);
        }
        if (given.priority !== undefined) {
          if (typeof given.priority === 'number' && Number.isFinite(given.priority)) {
            wire.priority = given.priority;
          } else badField('queued', q, id, 'priority', given.priority);
        }
        if (given.delayUntil !== undefined) {
          const at = toEpoch(given.delayUntil);
          if (at !== undefined) wire.delayUntil = at;
          else badField('queued', q, id, 'delayUntil', given.delayUntil);
        }
        if (given.parent !== undefined) {
          const parent = given.parent as { queue?: unknown; id?: unknown };
          if (
            isPlainObject(parent) &&
            typeof parent.queue === 'string' &&
            parent.queue !== '' &&
            (typeof parent.id === 'string' || typeof parent.id === 'number')
          ) {
            wire.parent = { queue: parent.queue, id: String(parent.id) };
          } else badField('queued', q, id, 'parent', given.parent);
        }
        enqueue(item);
      });
    },

    started(queue, jobId, fields) {
      guarded('started', () => {
        const item = jobEvent('started', queue, jobId, fields);
        if (!item) return;
        if (fields && 'data' in fields) item.event.data = fields.data;
        markActive(item);
        enqueue(item);
      });
    },

    progress(queue, jobId, fields) {
      guarded('progress', () => {
        const item = jobEvent('progress', queue, jobId, fields);
        if (!item) return;
        const value = (fields as ProgressFields | undefined)?.progress;
        if (typeof value === 'number' && Number.isFinite(value)) item.event.progress = value;
        else if (isPlainObject(value)) item.event.progress = value;
        else {
          refuse(`progress of ${queue}/${String(jobId)}: progress must be a number or an object`);
          return;
        }
        enqueue(item);
      });
    },

    log(queue, jobId, fields) {
      guarded('log', () => {
        const item = jobEvent('log', queue, jobId, fields);
        if (!item) return;
        const message = (fields as LogFields | undefined)?.message;
        if (typeof message !== 'string') {
          refuse(`log of ${queue}/${String(jobId)}: message must be a string`);
          return;
        }
        item.event.message = cut(message, MAX_LOG_MESSAGE);
        enqueue(item);
      });
    },

    completed(queue, jobId, fields) {
      guarded('completed', () => {
        const item = jobEvent('completed', queue, jobId, fields);
        if (!item) return;
        if (fields && 'result' in fields && fields.result !== undefined) {
          item.event.result = fields.result;
        }
        active.delete(activeKey(item));
        enqueue(item);
      });
    },

    failed(queue, jobId, fields) {
      guarded('failed', () => {
        const item = jobEvent('failed', queue, jobId, fields);
        if (!item) return;
        const given = (fields ?? {}) as Partial<FailedFields>;
        item.event.error = toWireError(given.error);
        if (given.willRetry === true) item.event.willRetry = true;
        if (given.retryAt !== undefined) {
          const at = toEpoch(given.retryAt);
          if (at !== undefined) item.event.retryAt = at;
          else {
            badField('failed', String(queue), String(jobId), 'retryAt', given.retryAt);
          }
        }
        active.delete(activeKey(item));
        enqueue(item);
      });
    },

    cancelled(queue, jobId, fields) {
      guarded('cancelled', () => {
        const item = jobEvent('cancelled', queue, jobId, fields);
        if (!item) return;
        const reason = fields?.reason;
        if (typeof reason === 'string') item.event.reason = cut(reason, 4096);
        active.delete(activeKey(item));
        enqueue(item);
      });
    },

    instrument<A extends unknown[], R>(
      queue: string,
      jobName: string,
      fn: (...args: A) => R | Promise<R>,
      instrumentOptions: InstrumentOptions<A> = {},
    ): (...args: A) => Promise<R> {
      if (typeof fn !== 'function') {
        throw new TypeError('instrument: fn must be a function');
      }
      const { jobId, attempt, data, willRetry } = instrumentOptions;
      let calls = 0;
      const callback = <T>(get: ((...args: any[]) => T) | undefined, args: unknown[]) => {
        if (!get) return undefined;
        try {
          return get(...args);
        } catch (error) {
          report(new ReporterError('invalid', `instrument(${queue}): ${describe(error)}`));
          return undefined;
        }
      };
      return async function instrumented(this: unknown, ...args: A): Promise<R> {
        const id = callback(jobId, args) ?? `${prefix}-${jobName}-${(++calls).toString(36)}`;
        const attemptNumber = callback(attempt, args);
        const base: JobEventFields = { name: jobName };
        if (attemptNumber !== undefined) base.attempt = attemptNumber;
        const jobData = data ? callback(data, args) : plainOrUndefined(args[0]);
        reporter.started(queue, id, jobData === undefined ? base : { ...base, data: jobData });
        let result: R;
        try {
          result = (await fn.apply(this, args)) as R;
        } catch (error) {
          const retry = willRetry ? callback(() => willRetry(error, ...args), []) === true : false;
          reporter.failed(queue, id, { ...base, error, willRetry: retry });
          throw error;
        }
        reporter.completed(queue, id, { ...base, result });
        return result;
      };
    },

    addQueues(queues) {
      try {
        for (const queue of queues) {
          if (typeof queue === 'string' && queue !== '' && queue.length <= MAX_NAME) serve(queue);
        }
      } catch (error) {
        report(new ReporterError('invalid', `addQueues: ${describe(error)}`));
      }
    },

    flush(flushOptions = {}) {
      const wait = flushOptions.timeoutMs ?? 10_000;
      const target = seq;
      if (oldestOutstanding() > target) return Promise.resolve(true);
      holders++;
      return new Promise<boolean>((resolve) => {
        const waiter = {
          target,
          resolve: (drained: boolean) => {
            clearTimeout(timer);
            holders--;
            resolve(drained);
          },
        };
        const timer = setTimeout(() => {
          flushWaiters.delete(waiter);
          waiter.resolve(false);
        }, wait);
        flushWaiters.add(waiter);
        schedule(true);
      });
    },

    close(closeOptions = {}) {
      closePromise ??= shutDown(closeOptions.timeoutMs ?? 5000);
      return closePromise;
    },

    stats() {
      return {
        ...counters,
        buffered: ring.size + results.length + inFlight.length + (heartbeat ? 1 : 0),
      };
    },
  };

  async function shutDown(timeout: number): Promise<void> {
    closeOnExit.delete(exitClose);
    holders++;
    closing = { deadline: Date.now() + Math.max(0, timeout) };
    if (heartbeatTimer !== undefined) clearInterval(heartbeatTimer);
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    heartbeatTimer = pollTimer = flushTimer = undefined;
    let passed!: () => void;
    const deadlinePassed = new Promise<false>((resolve) => {
      passed = () => resolve(false);
    });
    // Ref'd, unlike every other timer: whoever awaits close() is owed its outcome.
    const deadlineTimer = setTimeout(
      () => {
        stop.abort();
        wake?.();
        passed();
      },
      Math.max(0, timeout),
    );
    try {
      if (runningCommands.size > 0) {
        const commandsFinished = new Promise<void>((resolve) => commandsDone.add(resolve));
        await Promise.race([commandsFinished, deadlinePassed]);
      }
      beat(true);
      wake?.();
      const everythingSent = new Promise<boolean>((resolve) => {
        if (oldestOutstanding() > seq) return resolve(true);
        flushWaiters.add({ target: seq, resolve });
        schedule(true);
      });
      const drained = await Promise.race([everythingSent, deadlinePassed]);
      if (!drained) await idle();
    } finally {
      clearTimeout(deadlineTimer);
      closed = true;
      holders--;
      const unsent = ring.size + results.length + (heartbeat ? 1 : 0);
      if (unsent > 0) {
        counters.dropped += unsent;
        report(
          new ReporterError(
            'dropped',
            `closed with ${unsent} event(s) unsent (the collector did not take them in time)`,
          ),
        );
      }
      ring.clear();
      results.length = 0;
      heartbeat = undefined;
      for (const waiter of flushWaiters) waiter.resolve(false);
      flushWaiters.clear();
    }
  }

  /** Resolves once the send loop has stopped (after an abort it stops promptly). */
  async function idle(): Promise<void> {
    while (pumping) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  const exitClose = () => reporter.close({ timeoutMs: EXIT_CLOSE_MS });

  if (Array.isArray(options.queues)) reporter.addQueues(options.queues);
  started = true;
  beat();
  heartbeatTimer = unref(setInterval(() => beat(), heartbeatMs));
  if (onCommand && commandPollMs > 0) schedulePoll();
  if (options.closeOnExit !== false) registerExitClose(exitClose);
  return reporter;
}
