/**
 * The envelope of page cursors, shared by every backend: a short prefix
 * naming the backend and format, then base64url JSON of the position. What
 * the position holds is the backend's; that a cursor is opaque to clients, is
 * refused with one clear 400 when it was not made here, and stays small, is
 * the rule kept here.
 */
import { invalidInput } from './errors';

/** Longest cursor accepted: a position is a few keys, never a payload. */
const MAX_CURSOR_LENGTH = 2048;

/**
 * Makes a cursor: `prefix` followed by base64url JSON of `position`.
 *
 * @example
 * ```ts
 * const next = encodeCursor('c1.', [row.createdAt, row.seq]); // 'c1.WzE3NjQ2...'
 * ```
 */
export function encodeCursor(prefix: string, position: readonly unknown[]): string {
  return prefix + Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * Reads a cursor {@link encodeCursor} made with `prefix` and hands its
 * position to `read`, which returns the backend's own form of it or
 * `undefined` when the position is not one it makes. Anything else (another
 * prefix, bad base64 or JSON, a position `read` refuses, an oversized string)
 * is a 400 naming `query.cursor`.
 *
 * @example
 * ```ts
 * const { createdAt, seq } = decodeCursor('c1.', query.cursor, ([a, b]) =>
 *   typeof a === 'number' && Number.isInteger(b) ? { createdAt: a, seq: b as number } : undefined,
 * );
 * ```
 */
export function decodeCursor<T>(
  prefix: string,
  cursor: string,
  read: (position: unknown[]) => T | undefined,
): T {
  const malformed = () => invalidInput('query.cursor', 'is not a cursor this backend returned');
  if (!cursor.startsWith(prefix) || cursor.length > MAX_CURSOR_LENGTH) throw malformed();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor.slice(prefix.length), 'base64url').toString());
  } catch {
    throw malformed();
  }
  const value = Array.isArray(position) ? read(position) : undefined;
  if (value === undefined) throw malformed();
  return value;
}
