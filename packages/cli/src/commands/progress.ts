/**
 * A progress bar for bulk work, drawn on standard error and only on a
 * terminal: never in `--json` output or when piped, where it would be noise
 * in a log. It appears only once the work has taken a moment, so that quick
 * work does not flash.
 */
import { formatCount, formatElapsed } from './format';

/** A progress bar (or, without a total, a counter) being drawn. */
export interface Progress {
  /** How much is done, and the total when it became known or changed. */
  update(done: number, total?: number | null): void;
  /** Writes a line of its own (a failure) above the bar. */
  note(line: string): void;
  /** Removes the bar, leaving the line empty for the summary. */
  finish(): void;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** What is being done: `retrying`, `removing completed jobs`. */
  label: string;
  /** How much there is to do, when known. */
  total?: number | null;
  /** Draw at all: false in `--json` mode. The stream must also be a terminal. */
  enabled: boolean;
  /** Nothing is drawn before this much time has passed. Default 250 ms. */
  delayMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

const REDRAW_MS = 100;
/** Where the progress is not drawn, notes go straight to the stream. */
function plain(stream: NodeJS.WritableStream): Progress {
  return {
    update() {},
    note(line) {
      stream.write(`${line}\n`);
    },
    finish() {},
  };
}

/**
 * Starts a progress bar on `stream` if it is a terminal (and `enabled`):
 * `retrying [=========>          ] 45% 450/1,000 3.2s`. Without a total it
 * counts: `removing completed jobs 450 done 3.2s`.
 *
 * @example
 * ```ts
 * const progress = startProgress(process.stderr, { label: 'retrying', total: ids.length, enabled: !json });
 * for (const [i, id] of ids.entries()) { await retry(id); progress.update(i + 1); }
 * progress.finish();
 * ```
 */
export function startProgress(stream: NodeJS.WritableStream, options: ProgressOptions): Progress {
  const tty = stream as Partial<NodeJS.WriteStream>;
  if (!options.enabled || !tty.isTTY || process.env.TERM === 'dumb') return plain(stream);
  const now = options.now ?? Date.now;
  const started = now();
  const delayMs = options.delayMs ?? 250;
  let done = 0;
  let total = options.total ?? null;
  let drawn = false;
  let lastDraw = 0;

  const draw = (force = false) => {
    const at = now();
    if (at - started < delayMs) return;
    if (!force && at - lastDraw < REDRAW_MS) return;
    lastDraw = at;
    drawn = true;
    const columns = tty.columns || 80;
    const elapsed = formatElapsed(at - started);
    let line: string;
    if (total !== null && total > 0) {
      const ratio = Math.min(1, done / total);
      const counts = `${Math.floor(ratio * 100)}% ${formatCount(done)}/${formatCount(total)} ${elapsed}`;
      const barWidth = Math.min(30, columns - options.label.length - counts.length - 5);
      if (barWidth >= 5) {
        const filled = Math.floor(ratio * barWidth);
        const bar =
          '='.repeat(Math.max(0, filled - 1)) +
          (filled > 0 ? (ratio >= 1 ? '=' : '>') : '') +
          ' '.repeat(barWidth - filled);
        line = `${options.label} [${bar}] ${counts}`;
      } else {
        line = `${options.label} ${counts}`;
      }
    } else {
      line = `${options.label} ${formatCount(done)} done ${elapsed}`;
    }
    // \r back to the start, \x1b[K clears what a longer previous line left.
    stream.write(`\r${line.slice(0, Math.max(0, columns - 1))}\x1b[K`);
  };

  // Keeps the elapsed time moving while one long request runs.
  const timer = setInterval(() => draw(), 500);
  timer.unref();
  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      draw();
    },
    note(line) {
      stream.write(drawn ? `\r\x1b[K${line}\n` : `${line}\n`);
      if (drawn) draw(true);
    },
    finish() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
