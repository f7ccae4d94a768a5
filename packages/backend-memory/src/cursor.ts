import { decodeCursor as decodeCursorOf, encodeCursor as encodeCursorOf } from '@qadmin/core';

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

const PREFIX = 'm2.';

/** @internal */
export function encodeCursor(key: CursorKey): string {
  return encodeCursorOf(PREFIX, [key.createdAt, key.seq]);
}

/** @internal */
export function decodeCursor(cursor: string): CursorKey {
  return decodeCursorOf(PREFIX, cursor, ([createdAt, seq, ...rest]) =>
    rest.length === 0 &&
    typeof createdAt === 'number' &&
    Number.isFinite(createdAt) &&
    Number.isInteger(seq)
      ? { createdAt, seq: seq as number }
      : undefined,
  );
}
