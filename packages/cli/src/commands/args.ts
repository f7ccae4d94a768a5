/**
 * Parsing of the scripting commands' arguments: parseArgs' complaints turned
 * into one line, and the values (states, durations, counts) checked before
 * anything is sent, so that a typo is exit code 2 and never a request.
 */
import { parseArgs } from 'node:util';
import { JOB_STATES, type JobState, SEARCH_FIELDS, type SearchField } from '@qadmin/core';
import { UsageError } from '../errors';

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * parseArgs' complaint as a {@link UsageError} in one line that names the flag.
 *
 * @example
 * ```ts
 * try { parseArgs({ args, options }); } catch (error) { throw usageFromParseError('jobs', error); }
 * ```
 */
export function usageFromParseError(command: string, error: unknown): UsageError {
  const { code, message } = error as NodeJS.ErrnoException;
  const flag = /'([^']+)'/.exec(message)?.[1];
  const help = `(see qadmin ${command ? `${command} ` : ''}--help)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`unknown flag ${flag ?? message} ${help}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '--port <value>' argument missing" or "Option '--demo' does not take an argument".
    const name = flag?.split(' ')[0] ?? '';
    return new UsageError(
      message.includes('argument missing')
        ? `${name} needs a value ${help}`
        : `${name} takes no value ${help}`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new UsageError(`unexpected argument ${flag ?? message} ${help}`);
  }
  return new UsageError(`${message} ${help}`);
}

/** The flags every command against a dashboard takes. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The values of {@link CONNECTION_OPTIONS}. */
export interface ConnectionFlags {
  url?: string;
  token?: string;
  json?: boolean;
  help?: boolean;
}

/**
 * Parses a command's arguments: its flags, and between `min` and `max`
 * positional arguments (`max` Infinity for a list), named in the complaint.
 *
 * @example
 * ```ts
 * const { flags, positionals } = parseCommand<{ state?: string }>('jobs', args, { state: { type: 'string' } }, ['queue']);
 * ```
 */
export function parseCommand<Flags>(
  command: string,
  args: string[],
  options: ParseOptions,
  positionalNames: { required: string[]; rest?: string },
): { flags: Flags & ConnectionFlags; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { ...CONNECTION_OPTIONS, ...options },
    });
  } catch (error) {
    throw usageFromParseError(command, error);
  }
  const flags = parsed.values as Flags & ConnectionFlags;
  const positionals = parsed.positionals;
  if (flags.help) return { flags, positionals };
  const { required, rest } = positionalNames;
  if (positionals.length < required.length) {
    const missing = required.slice(positionals.length).concat(rest ? [`${rest}...`] : []);
    throw new UsageError(
      `give ${missing.map((name) => `<${name}>`).join(' ')} (see qadmin ${command} --help)`,
    );
  }
  if (rest && positionals.length === required.length) {
    throw new UsageError(`give at least one <${rest}> (see qadmin ${command} --help)`);
  }
  if (!rest && positionals.length > required.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[required.length])} (see qadmin ${command} --help)`,
    );
  }
  return { flags, positionals };
}

/**
 * A job state named by a flag, checked against the canonical states.
 *
 * @example
 * ```ts
 * parseState('--state', 'failed'); // 'failed'
 * ```
 */
export function parseState(flag: string, value: string): JobState {
  if ((JOB_STATES as readonly string[]).includes(value)) return value as JobState;
  throw new UsageError(
    `${flag} must be one of ${JOB_STATES.join(', ')}, not ${JSON.stringify(value)}`,
  );
}

/**
 * The comma-separated fields of `--in`.
 *
 * @example
 * ```ts
 * parseSearchFields('--in', 'data,error'); // ['data', 'error']
 * ```
 */
export function parseSearchFields(flag: string, value: string): SearchField[] {
  const fields = value
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  const unknown = fields.find((field) => !(SEARCH_FIELDS as readonly string[]).includes(field));
  if (fields.length === 0 || unknown !== undefined) {
    throw new UsageError(
      `${flag} takes fields among ${SEARCH_FIELDS.join(', ')} separated by commas, not ${JSON.stringify(value)}`,
    );
  }
  return [...new Set(fields)] as SearchField[];
}

/**
 * A whole number of at least 1.
 *
 * @example
 * ```ts
 * parseCount('--limit', '50'); // 50
 * ```
 */
export function parseCount(flag: string, value: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(
      `${flag} must be a whole number of at least 1, not ${JSON.stringify(value)}`,
    );
  }
  return count;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A duration like `30s`, `15m`, `12h`, `7d` or `2w` (or `0`), in milliseconds.
 *
 * @example
 * ```ts
 * parseDuration('--older-than', '7d'); // 604_800_000
 * ```
 */
export function parseDuration(flag: string, value: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)?$/.exec(value.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2];
  const ms = unit === undefined ? (amount === 0 ? 0 : Number.NaN) : amount * DURATION_UNITS[unit]!;
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(
      `${flag} must be a number with a unit: 30s, 15m, 12h, 7d, 2w (or 0), not ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

/**
 * A duration in the largest unit that divides it, as {@link parseDuration} reads it.
 *
 * @example
 * ```ts
 * formatDuration(604_800_000); // '1w'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
