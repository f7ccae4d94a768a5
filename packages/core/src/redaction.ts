/**
 * Server-side redaction of job content: dotted paths whose values are
 * replaced, and an optional formatter, applied by {@link AdminService} to
 * every job, log page, schedule and progress event before it leaves the
 * server.
 */
import type { Job, JobLogPage, Schedule, SearchField } from './model';

/**
 * Where a job being redacted comes from: passed to
 * {@link RedactionOptions.format}.
 *
 * @example
 * ```ts
 * const format = (job: Job, ctx: RedactionContext) => (ctx.backend === 'billing' ? { ...job, returnValue: null } : job);
 * ```
 */
export interface RedactionContext {
  /** Dashboard-wide queue id, `<backend>:<queue>`. */
  queueId: string;
  /** Id of the backend that holds the job. */
  backend: string;
  /** Name of the queue inside that backend. */
  queue: string;
}

/**
 * What to hide of every job before it leaves the server (API answers, list
 * previews, search results, log pages, schedules and live progress events).
 *
 * A path is a dotted walk into the job, keys matched case-sensitively:
 *
 * - `data.password`, `returnValue.apiKey`, `options.headers.authorization`:
 *   one key at each level; a number (`data.items.0.token`) is also an array index.
 * - `*` is any key or array index at one level: `data.*.token`.
 * - `key[]` is every element of the array at `key`: `data.users[].secret`
 *   (the same as `data.users.*.secret`).
 * - `**` is any number of levels, none included: `data.**.password` hides
 *   `password` wherever it is inside `data`.
 *
 * A path starts at one of `data`, `returnValue`, `options`, `progress`,
 * `failedReason`, `stacktrace` or `logs`. `failedReason` hides the whole
 * failure reason, `stacktrace` every stack trace, and `logs` the message of
 * every log line (timestamps and the count stay: log lines are free text,
 * so they are hidden whole or not at all). `options` and `progress` need a
 * key inside them, since the dashboard expects an object (or a number) there.
 *
 * A matched value, whatever it holds (an object included), becomes
 * `replacement`; `null` and absent values stay as they are, so a missing
 * path adds nothing. The backend's objects are never changed: what is
 * redacted is copied, the rest is shared. Keys such as `__proto__` or
 * `constructor` inside job data are ordinary keys here.
 *
 * A bad path is a `TypeError` naming it when the service is created.
 *
 * @example
 * ```ts
 * const admin = createAdmin({
 *   backends: [backend],
 *   redact: {
 *     paths: ['data.password', 'data.*.token', 'data.**.apiKey', 'options.headers.authorization', 'logs'],
 *     format: (job, { backend }) => (backend === 'billing' ? { ...job, returnValue: null } : job),
 *   },
 * });
 * ```
 */
export interface RedactionOptions {
  /** Values to replace, as dotted paths into the job (see above). */
  paths?: readonly string[];
  /**
   * Reshapes each whole job after the paths were applied (it sees the
   * redacted job). It must return a new object rather than change the one
   * it is given, which may be the backend's own. It sees jobs only: a
   * progress event carries the progress value alone, which only `progress.…`
   * paths reach, and a schedule's job data only `data.…` and `options.…`
   * paths.
   */
  format?: (job: Job, context: RedactionContext) => Job;
  /** What a hidden value becomes. Default `'[redacted]'`. */
  replacement?: string;
}

/**
 * Compiled {@link RedactionOptions}: the functions the service runs on what
 * leaves it.
 *
 * @example
 * ```ts
 * const redaction = compileRedaction({ paths: ['data.password'] });
 * redaction.job(job, { queueId: 'memory:emails', backend: 'memory', queue: 'emails' });
 * ```
 */
export interface Redaction {
  /** Whether jobs can come out changed (paths into the job, or a formatter). */
  readonly reshapesJobs: boolean;
  /** The job with its paths replaced and the formatter applied. */
  job(job: Job, context: RedactionContext): Job;
  /** A progress value with the `progress.…` paths replaced. */
  progress(progress: Job['progress']): Job['progress'];
  /** A log page, its messages replaced when `logs` is among the paths. */
  logs(page: JobLogPage): JobLogPage;
  /** A schedule with the `data.…` and `options.…` paths applied to the data of the jobs it creates. */
  schedule(schedule: Schedule): Schedule;
}

const DEFAULT_REPLACEMENT = '[redacted]';

/** One level of any key or index. */
const ANY = Symbol('any');
/** Any number of levels, none included. */
const DEEP = Symbol('deep');

type Segment = string | typeof ANY | typeof DEEP;
type Pattern = readonly Segment[];

/** Where a pattern is while walking: the next segment to match is `pattern[index]`. */
interface State {
  pattern: Pattern;
  index: number;
}

const ROOTS = new Set([
  'data',
  'returnValue',
  'options',
  'progress',
  'failedReason',
  'stacktrace',
  'logs',
]);
/** Text fields, hidden whole. */
const TEXT_ROOTS = new Set(['failedReason', 'logs']);
/** Fields that must keep their type (an object, or a number for progress). */
const CONTAINER_ROOTS = new Set(['options', 'progress']);
const SCHEDULE_ROOTS = new Set(['data', 'options']);

function badPath(path: unknown, why: string): TypeError {
  return new TypeError(`Invalid redaction path ${JSON.stringify(path)}: ${why}`);
}

function parsePath(path: unknown): Pattern {
  if (typeof path !== 'string') throw badPath(path, 'must be a string');
  if (path === '') throw badPath(path, 'is empty');
  const segments: Segment[] = [];
  for (const part of path.split('.')) {
    if (part === '') throw badPath(path, 'has an empty segment');
    if (part === '*') segments.push(ANY);
    else if (part === '**') segments.push(DEEP);
    else {
      const each = part.endsWith('[]');
      const key = each ? part.slice(0, -2) : part;
      if (key === '') throw badPath(path, '"[]" must follow a key, as in "data.users[].secret"');
      if (/[[\]]/.test(key)) {
        throw badPath(path, 'brackets are only "key[]"; write an index as ".0"');
      }
      if (key.includes('*')) throw badPath(path, '"*" and "**" must be a whole segment');
      segments.push(key);
      if (each) segments.push(ANY);
    }
  }
  const root = segments[0];
  if (typeof root !== 'string' || !ROOTS.has(root)) {
    throw badPath(path, `must start with one of ${[...ROOTS].join(', ')}`);
  }
  if (segments.at(-1) === DEEP) throw badPath(path, '"**" must be followed by a key');
  if (TEXT_ROOTS.has(root) && segments.length > 1) {
    throw badPath(path, `${root} is text: it is hidden whole, name it alone`);
  }
  if (CONTAINER_ROOTS.has(root) && segments.length === 1) {
    throw badPath(path, `name a key inside ${root}, as in "${root}.*"`);
  }
  // Each stack trace is hidden, keeping stacktrace an array of strings.
  if (root === 'stacktrace' && segments.length === 1) segments.push(ANY);
  return segments;
}

/** Adds the states a `**` reaches without consuming a key, dropping duplicates. */
function expand(states: readonly State[]): State[] {
  const out: State[] = [];
  const seen = new Map<Pattern, Set<number>>();
  const add = (state: State) => {
    let indices = seen.get(state.pattern);
    if (!indices) {
      indices = new Set();
      seen.set(state.pattern, indices);
    }
    if (indices.has(state.index)) return;
    indices.add(state.index);
    out.push(state);
    if (state.pattern[state.index] === DEEP)
      add({ pattern: state.pattern, index: state.index + 1 });
  };
  for (const state of states) add(state);
  return out;
}

function setOwn(target: object, key: string, value: unknown): void {
  // Plain assignment of a `__proto__` key would set the prototype instead.
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * `value` with every key the states reach replaced; the same object when
 * nothing was, otherwise a copy of each object on the way (copy-on-write).
 */
function walk(
  value: unknown,
  states: readonly State[],
  replacement: string,
  ancestors: Set<object>,
): unknown {
  if (typeof value !== 'object' || value === null || ancestors.has(value)) return value;
  const isArray = Array.isArray(value);
  // Only indices of an array: `length` and the like are not its keys.
  const keys = isArray ? Array.from(value, (_, i) => String(i)) : Object.keys(value);
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | unknown[] | undefined;
  ancestors.add(value);
  for (const key of keys) {
    const child = source[key];
    let hit = false;
    const next: State[] = [];
    for (const state of states) {
      const segment = state.pattern[state.index];
      if (segment === DEEP) {
        next.push(state);
      } else if (segment === ANY || segment === key) {
        if (state.index + 1 === state.pattern.length) hit = true;
        else next.push({ pattern: state.pattern, index: state.index + 1 });
      }
    }
    let result = child;
    if (hit) {
      if (child !== null && child !== undefined) result = replacement;
    } else if (next.length > 0) {
      result = walk(child, expand(next), replacement, ancestors);
    }
    if (result !== child) {
      copy ??= isArray ? (value as unknown[]).slice() : { ...source };
      setOwn(copy, key, result);
    }
  }
  ancestors.delete(value);
  return copy ?? value;
}

function startStates(patterns: readonly Pattern[]): State[] {
  return expand(patterns.map((pattern) => ({ pattern, index: 0 })));
}

/**
 * Checks and compiles {@link RedactionOptions} once; the returned functions
 * are what {@link AdminService} runs on every answer. Throws a `TypeError`
 * naming the first bad path (or option).
 *
 * @example
 * ```ts
 * const redaction = compileRedaction({ paths: ['data.**.password'] });
 * redaction.job(job, context).data; // { user: { password: '[redacted]' } }
 * compileRedaction({ paths: ['date.password'] }); // TypeError: Invalid redaction path "date.password": …
 * ```
 */
export function compileRedaction(options: RedactionOptions): Redaction {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('redact must be an object: { paths, format, replacement }');
  }
  const { paths = [], format, replacement = DEFAULT_REPLACEMENT } = options;
  if (!Array.isArray(paths)) throw new TypeError('redact.paths must be an array of strings');
  if (format !== undefined && typeof format !== 'function') {
    throw new TypeError('redact.format must be a function');
  }
  if (typeof replacement !== 'string') throw new TypeError('redact.replacement must be a string');
  const patterns = paths.map(parsePath);
  const hideLogs = patterns.some((p) => p[0] === 'logs');
  const jobStates = startStates(patterns.filter((p) => p[0] !== 'logs'));
  const progressStates = startStates(patterns.filter((p) => p[0] === 'progress'));
  const scheduleStates = startStates(patterns.filter((p) => SCHEDULE_ROOTS.has(p[0] as string)));
  const apply = <T>(value: T, states: readonly State[]): T =>
    states.length === 0 ? value : (walk(value, states, replacement, new Set()) as T);

  return {
    reshapesJobs: jobStates.length > 0 || format !== undefined,
    job(job, context) {
      const redacted = apply(job, jobStates);
      return format ? format(redacted, context) : redacted;
    },
    progress(progress) {
      if (progressStates.length === 0) return progress;
      return apply({ progress }, progressStates).progress;
    },
    logs(page) {
      if (!hideLogs) return page;
      return { ...page, lines: page.lines.map((line) => ({ ...line, message: replacement })) };
    },
    schedule(schedule) {
      return apply(schedule, scheduleStates);
    },
  };
}

/** JSON text of job data as searched: compact, as most backends keep it. */
function dataTexts(data: unknown): string[] {
  let compact: string | undefined;
  let spaced: string | undefined;
  try {
    compact = JSON.stringify(data);
    // PostgreSQL's jsonb text puts a space after `:` and `,` (`{"a": 1, "b": [1, 2]}`); a
    // newline only appears between tokens in indented JSON, never inside a string.
    spaced = JSON.stringify(data, null, 1)?.replace(/,\n */g, ', ').replace(/\n */g, '');
  } catch {
    compact = String(data);
  }
  return [compact ?? '', spaced ?? ''];
}

/**
 * Whether a search for `text` in `fields` still finds `job` as the dashboard
 * shows it (case-insensitive substring of the name, the data's JSON text, or
 * the failure reason and stack traces). The service drops a backend's hit
 * that no longer matches once redacted: it matched hidden text only.
 */
export function matchesSearch(job: Job, text: string, fields: readonly SearchField[]): boolean {
  const needle = text.toLowerCase();
  const has = (value: string | null | undefined) =>
    typeof value === 'string' && value.toLowerCase().includes(needle);
  return fields.some((field) => {
    switch (field) {
      case 'name':
        return has(job.name);
      case 'data':
        return dataTexts(job.data).some(has);
      case 'error':
        return has(job.failedReason) || job.stacktrace.some(has);
      default:
        return false;
    }
  });
}
