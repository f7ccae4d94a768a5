import {
  decodeCursor as decodeCursorOf,
  encodeCursor,
  invalidInput,
  type JobOrder,
} from '@qadmin/core';
import type { RedisClient as Redis } from './keys';

/**
 * Walking one BullMQ list or sorted set in pages, by position, with cursors
 * that stay put when jobs are added.
 *
 * - Lists (`wait`, `paused`, `active`) get new jobs at the head, so a job's
 *   position counted from the tail (1 = oldest) does not move when jobs are
 *   added; a list cursor is the tail position of the last job looked at.
 * - Sorted sets (`completed`, `failed`, `delayed`, `prioritized`,
 *   `waiting-children`) are ordered by score then member; a set cursor is the
 *   last member and its score: the next page starts right after the member's
 *   current rank, or after its score when it has gone.
 *
 * Each page costs one or two Redis calls and is proportional to the page
 * size, however deep (lists: LRANGE walks from the nearer end).
 */

/** A slice of ids, oldest or newest first, and where the next one starts. */
export interface IdSlice {
  ids: string[];
  /** Cursor after the last id of this slice, `null` when nothing follows. */
  next: string | null;
}

type Position = { kind: 'list'; tail: number } | { kind: 'set'; score: string; member: string };

const PREFIX = 'b1.';

function encode(position: Position): string {
  return encodeCursor(
    PREFIX,
    position.kind === 'list' ? ['l', position.tail] : ['s', position.score, position.member],
  );
}

/** The position a cursor of this module names; 400 for anything else. */
export function decodeCursor(cursor: string): Position {
  return decodeCursorOf(PREFIX, cursor, (body): Position | undefined => {
    if (
      body[0] === 'l' &&
      body.length === 2 &&
      Number.isSafeInteger(body[1]) &&
      (body[1] as number) >= 0
    ) {
      return { kind: 'list', tail: body[1] as number };
    }
    if (
      body[0] === 's' &&
      body.length === 3 &&
      typeof body[1] === 'string' &&
      /^-?[\d.e+-]+$|^[+-]inf$/i.test(body[1]) &&
      typeof body[2] === 'string'
    ) {
      return { kind: 'set', score: body[1], member: body[2] };
    }
    return undefined;
  });
}

/** Where a page starts: the first, after a cursor, or at an offset. */
export type Start = { cursor?: string | undefined; offset?: number | undefined };

/** A page of a list's ids. `length` is the list's length (read with the page by the caller). */
export async function listSlice(
  redis: Redis,
  key: string,
  length: number,
  order: JobOrder,
  limit: number,
  start: Start,
): Promise<IdSlice> {
  // Tail positions of the page: newest walks them down, oldest up.
  let from: number;
  if (start.cursor !== undefined) {
    const position = decodeCursor(start.cursor);
    if (position.kind !== 'list') {
      throw invalidInput('query.cursor', 'belongs to another state');
    }
    from = order === 'newest' ? position.tail - 1 : position.tail + 1;
  } else {
    const offset = start.offset ?? 0;
    from = order === 'newest' ? length - offset : offset + 1;
  }
  const to =
    order === 'newest' ? Math.max(1, from - limit + 1) : Math.min(length, from + limit - 1);
  if (order === 'newest' ? from < 1 || from > length : from > length || from < 1) {
    return { ids: [], next: null };
  }
  // Tail position p is index -p.
  let ids: string[];
  if (order === 'newest') ids = await redis.lrange(key, -from, -to);
  else ids = (await redis.lrange(key, -to, -from)).reverse();
  const last = order === 'newest' ? from - ids.length + 1 : from + ids.length - 1;
  const more = order === 'newest' ? last > 1 : last < length;
  return { ids, next: ids.length > 0 && more ? encode({ kind: 'list', tail: last }) : null };
}

/** A page of a sorted set's ids, ascending (`oldest`) or descending (`newest`) by score. */
export async function setSlice(
  redis: Redis,
  key: string,
  order: JobOrder,
  limit: number,
  start: Start,
): Promise<IdSlice> {
  const desc = order === 'newest';
  let flat: string[];
  if (start.cursor !== undefined) {
    const position = decodeCursor(start.cursor);
    if (position.kind !== 'set') throw invalidInput('query.cursor', 'belongs to another state');
    const rank = desc
      ? await redis.zrevrank(key, position.member)
      : await redis.zrank(key, position.member);
    if (rank !== null) {
      flat = desc
        ? await redis.zrevrange(key, rank + 1, rank + limit + 1, 'WITHSCORES')
        : await redis.zrange(key, rank + 1, rank + limit + 1, 'WITHSCORES');
    } else {
      flat = desc
        ? await redis.zrevrangebyscore(
            key,
            `(${position.score}`,
            '-inf',
            'WITHSCORES',
            'LIMIT',
            0,
            limit + 1,
          )
        : await redis.zrangebyscore(
            key,
            `(${position.score}`,
            '+inf',
            'WITHSCORES',
            'LIMIT',
            0,
            limit + 1,
          );
    }
  } else {
    const offset = start.offset ?? 0;
    flat = desc
      ? await redis.zrevrange(key, offset, offset + limit, 'WITHSCORES')
      : await redis.zrange(key, offset, offset + limit, 'WITHSCORES');
  }
  // One more than the page was read: it says whether anything follows.
  const more = flat.length > limit * 2;
  if (more) flat = flat.slice(0, limit * 2);
  const ids: string[] = [];
  for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]!);
  if (!more || ids.length === 0) return { ids, next: null };
  const member = flat[flat.length - 2]!;
  const score = flat[flat.length - 1]!;
  return { ids, next: encode({ kind: 'set', score, member }) };
}
