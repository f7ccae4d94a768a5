/**
 * Text for a terminal: tables aligned by display width, ages, counts, and
 * job data made safe to print (a job's data or error comes from whoever
 * enqueued it, and must not move the cursor or recolour the terminal).
 */

// Controls (C0, DEL, C1), line separators, and the bidirectional marks and overrides that can
// make text read other than it is.
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
// What JSON.stringify leaves raw of the above: it escapes C0 itself, and the layout's newlines must stay.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` on one line with every control character shown as `\xNN`/`\uNNNN`
 * (newlines and tabs as a space), so that printing it cannot drive the terminal.
 *
 * @example
 * ```ts
 * sanitize('a\u001b[2Jb'); // 'a\\x1b[2Jb'
 * ```
 */
export function sanitize(text: string): string {
  return text.replace(/\r?\n|\t/g, ' ').replace(UNSAFE, escapeChar);
}

/**
 * {@link sanitize} keeping line breaks: for multi-line text such as a stack trace.
 *
 * @example
 * ```ts
 * sanitizeLines('Error: x\n    at f (a.js:1:1)');
 * ```
 */
export function sanitizeLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/\t/g, '  ').replace(UNSAFE, escapeChar))
    .join('\n');
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

const COMBINING = /\p{Mn}|\p{Me}/u;

/** East Asian wide and fullwidth characters, and emoji: two columns. */
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  // Combining marks, zero-width spaces and joiners, variation selectors.
  if (COMBINING.test(char) || (code >= 0x200b && code <= 0x200d) || code === 0x2060) return 0;
  if (code >= 0xfe00 && code <= 0xfe0f) return 0;
  return isWide(code) ? 2 : 1;
}

/**
 * How many terminal columns `text` takes (wide characters two, combining marks none).
 *
 * @example
 * ```ts
 * displayWidth('東京'); // 4
 * ```
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when cut.
 *
 * @example
 * ```ts
 * truncate('connection refused', 10); // 'connectio…'
 * ```
 */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** One column of {@link renderTable}. */
export interface Column {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  /**
   * The column that gives up width when the table is wider than the
   * terminal (data previews, error messages); at most one per table.
   */
  shrink?: boolean;
}

const GAP = '  ';

/**
 * An aligned table: a header row, then one line per row, columns two spaces
 * apart, no trailing spaces. Cells are sanitized. Given `maxWidth` (the
 * terminal's), the `shrink` column is cut so that each line fits, but never
 * below the width of its header.
 *
 * @example
 * ```ts
 * renderTable([{ header: 'QUEUE' }, { header: 'FAILED', align: 'right' }], [['memory:emails', '3']]);
 * // 'QUEUE          FAILED\nmemory:emails       3\n'
 * ```
 */
export function renderTable(columns: Column[], rows: string[][], maxWidth?: number): string {
  const cells = rows.map((row) => columns.map((_, i) => sanitize(row[i] ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...cells.map((row) => displayWidth(row[i]!))),
  );
  const shrinking = columns.findIndex((column) => column.shrink);
  if (maxWidth !== undefined && shrinking >= 0) {
    const total = widths.reduce((sum, width) => sum + width, 0) + GAP.length * (columns.length - 1);
    if (total > maxWidth) {
      const floor = displayWidth(columns[shrinking]!.header);
      widths[shrinking] = Math.max(floor, widths[shrinking]! - (total - maxWidth));
      for (const row of cells) row[shrinking] = truncate(row[shrinking]!, widths[shrinking]!);
    }
  }
  const line = (values: string[]) =>
    values
      .map((value, i) => {
        const pad = ' '.repeat(widths[i]! - displayWidth(value));
        return columns[i]!.align === 'right' ? pad + value : value + pad;
      })
      .join(GAP)
      .trimEnd();
  return `${[line(columns.map((column) => column.header)), ...cells.map(line)].join('\n')}\n`;
}

/**
 * `label  value` lines with the labels padded to one width, values sanitized;
 * pairs whose value is `undefined` are left out.
 *
 * @example
 * ```ts
 * renderFields([['state', 'failed'], ['worker', undefined]]); // 'state  failed\n'
 * ```
 */
export function renderFields(pairs: [string, string | undefined][]): string {
  const shown = pairs.filter((pair): pair is [string, string] => pair[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${sanitize(value)}\n`).join('');
}

/**
 * A count with thousands separators: `12,345`.
 *
 * @example
 * ```ts
 * formatCount(12345); // '12,345'
 * ```
 */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * `count` and `noun`, with an `s` unless there is one: `1 job`, `3 jobs`.
 *
 * @example
 * ```ts
 * plural(3, 'job'); // '3 jobs'
 * ```
 */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * How long ago (or how soon) `at` is from `now`, in its largest unit: `12s ago`, `in 5m`.
 *
 * @example
 * ```ts
 * formatAge(Date.now() - 90_000); // '1m ago'
 * ```
 */
export function formatAge(at: number, now: number = Date.now()): string {
  const ms = Math.abs(now - at);
  const text =
    ms < 60_000
      ? `${Math.floor(ms / 1000)}s`
      : ms < 3_600_000
        ? `${Math.floor(ms / 60_000)}m`
        : ms < 86_400_000
          ? `${Math.floor(ms / 3_600_000)}h`
          : `${Math.floor(ms / 86_400_000)}d`;
  return at > now + 999 ? `in ${text}` : `${text} ago`;
}

/**
 * A time as ISO 8601 UTC with how long ago it is: `2025-01-31T08:00:00.000Z (3h ago)`.
 *
 * @example
 * ```ts
 * formatTime(job.createdAt);
 * ```
 */
export function formatTime(at: number, now: number = Date.now()): string {
  return `${new Date(at).toISOString()} (${formatAge(at, now)})`;
}

/**
 * A duration for people: `850ms`, `12.3s`, `4m 05s`, `2h 10m`.
 *
 * @example
 * ```ts
 * formatElapsed(65_000); // '1m 05s'
 * ```
 */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) {
    return `${Math.floor(ms / 60_000)}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  }
  return `${Math.floor(ms / 3_600_000)}h ${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}m`;
}

/**
 * JSON for people and for jq: indented, with the characters that JSON leaves
 * as they are but a terminal would act on (C1 controls, bidi overrides) escaped.
 *
 * @example
 * ```ts
 * process.stdout.write(`${toJson(job)}\n`);
 * ```
 */
export function toJson(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(
    UNSAFE_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Writes `text` and resolves once it was handed to the system, so that the
 * process may exit right after without cutting a long output short.
 *
 * @example
 * ```ts
 * await write(io.stdout, renderTable(columns, rows));
 * ```
 */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * The width of the terminal `stream` is, or `undefined` when it is not one
 * (piped output is not cut).
 *
 * @example
 * ```ts
 * renderTable(columns, rows, terminalWidth(io.stdout));
 * ```
 */
export function terminalWidth(stream: NodeJS.WritableStream): number | undefined {
  const tty = stream as Partial<NodeJS.WriteStream>;
  return tty.isTTY && tty.columns ? tty.columns : undefined;
}
