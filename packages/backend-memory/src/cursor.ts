import { invalidInput } from '@qadmin/core';

/**
 * A position in creation order: the `(createdAt, seq)` key of the last job a
 * page returned (or a search examined). The next page starts strictly after
 * it, so adding or removing jobs between fetches neither repeats nor skips
 * the jobs that stay, unlike an offset.
 *
 * @internal
 */
export interface CursorKey {
  createdAt: number;
  seq: number;
}

const PREFIX = 'm1.';

/** @internal */
export function encodeCursor(key: CursorKey): string {
  return PREFIX + Buffer.from(`${key.createdAt}:${key.seq}`).toString('base64url');
}

/** @internal */
export function decodeCursor(cursor: string): CursorKey {
  const malformed = () => invalidInput('query.cursor', 'is not a cursor this backend returned');
  if (!cursor.startsWith(PREFIX)) throw malformed();
  const [createdAt, seq, extra] = Buffer.from(cursor.slice(PREFIX.length), 'base64url')
    .toString()
    .split(':')
    .map(Number);
  if (
    createdAt === undefined ||
    seq === undefined ||
    extra !== undefined ||
    !Number.isFinite(createdAt) ||
    !Number.isInteger(seq)
  ) {
    throw malformed();
  }
  return { createdAt, seq };
}
