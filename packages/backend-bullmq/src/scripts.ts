/**
 * Reads that touch every queue (the overview's counts, discovery's check of
 * each meta hash, the metrics sampler's look at each event stream), done by a
 * Lua script: one EVALSHA per 100 queues instead of a few pipelined commands
 * per queue. The script runs the very same reads inside Redis (INFO
 * commandstats counts them), but the client builds, writes and parses 5
 * commands at 500 queues instead of thousands, and gets back one flat array:
 * an overview refresh at 500 queues allocates about 0.5 MB in the dashboard's
 * process instead of about 9 MB, all of it alive until the reply came, which
 * is what made V8 grow its young generation.
 */
import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './keys';

/** Queues per script call: a call holds Redis for its reads (under a millisecond for 100 queues). */
const CHUNK = 100;

/** A Redis that refuses scripts to this user (ACL) or altogether. */
const REFUSED = /NOPERM|unknown command|not allowed|disabled/i;

type Replies = [Error | null, unknown][];

/**
 * A script over many queues: `KEYS` holds one key per queue, and it answers
 * `width` values per queue, one queue after the other. Every other key it
 * reads shares that key's hash slot (on a cluster, BullMQ's prefixes carry a
 * hash tag), as BullMQ's own scripts assume.
 */
export interface QueueScript {
  readonly lua: string;
  readonly sha: string;
  readonly width: number;
  /** The same reads as plain commands, for a Redis that refuses scripts. */
  readonly pipelined: (pipeline: ChainableCommander, key: string) => void;
  /**
   * One queue's replies to {@link QueueScript.pipelined} (a failed command's as its Error),
   * as the script answers them.
   */
  readonly decode: (replies: readonly unknown[], out: unknown[], at: number) => void;
}

function queueScript(
  lua: string,
  width: number,
  pipelined: QueueScript['pipelined'],
  decode: QueueScript['decode'],
): QueueScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex'), width, pipelined, decode };
}

/** Where each count sits in a queue's answer to {@link COUNTS}. */
export const AT = {
  flags: 0,
  wait: 1,
  paused: 2,
  active: 3,
  prioritized: 4,
  delayed: 5,
  completed: 6,
  failed: 7,
  waitingChildren: 8,
} as const;
/** Bits of {@link AT.flags}. */
export const PAUSED = 1;
export const HAS_VERSION = 2;

/**
 * Every state's length and the meta hash's paused flag and version, over
 * queues' meta keys (`<prefix>:<queue>:meta`): 9 integers per queue, the
 * flags first (1: paused, 2: BullMQ wrote a version).
 */
export const COUNTS = queueScript(
  `local out = {}
local n = 0
for i = 1, #KEYS do
  local meta = KEYS[i]
  local base = string.sub(meta, 1, -5)
  local m = redis.call('HMGET', meta, 'paused', 'version')
  local flags = 0
  if m[1] == '1' then flags = 1 end
  if m[2] then flags = flags + 2 end
  out[n + 1] = flags
  out[n + 2] = redis.call('LLEN', base .. 'wait')
  out[n + 3] = redis.call('LLEN', base .. 'paused')
  out[n + 4] = redis.call('LLEN', base .. 'active')
  out[n + 5] = redis.call('ZCARD', base .. 'prioritized')
  out[n + 6] = redis.call('ZCARD', base .. 'delayed')
  out[n + 7] = redis.call('ZCARD', base .. 'completed')
  out[n + 8] = redis.call('ZCARD', base .. 'failed')
  out[n + 9] = redis.call('ZCARD', base .. 'waiting-children')
  n = n + 9
end
return out`,
  9,
  (pipeline, meta) => {
    const base = meta.slice(0, -'meta'.length);
    pipeline
      .hmget(meta, 'paused', 'version')
      .llen(`${base}wait`)
      .llen(`${base}paused`)
      .llen(`${base}active`)
      .zcard(`${base}prioritized`)
      .zcard(`${base}delayed`)
      .zcard(`${base}completed`)
      .zcard(`${base}failed`)
      .zcard(`${base}waiting-children`);
  },
  (replies, out, at) => {
    const [paused, version] = succeeded(replies[0]) as (string | null)[];
    out[at] = (paused === '1' ? PAUSED : 0) | (version != null ? HAS_VERSION : 0);
    for (let f = 1; f < 9; f++) out[at + f] = succeeded(replies[f]);
  },
);

/**
 * The version BullMQ wrote in each meta hash (`bullmq:<version>`), or null: one value per
 * key. Discovery asks it of every `<prefix>:*:meta` key, so one that is not a hash (not
 * BullMQ's) reads as null instead of failing the others.
 */
export const VERSIONS = queueScript(
  `local out = {}
for i = 1, #KEYS do
  local version = redis.pcall('HGET', KEYS[i], 'version')
  if type(version) == 'table' then version = false end
  out[i] = version
end
return out`,
  1,
  (pipeline, meta) => {
    pipeline.hget(meta, 'version');
  },
  (replies, out, at) => {
    out[at] = typeof replies[0] === 'string' ? replies[0] : null;
  },
);

/**
 * Over queues' event streams (`<prefix>:<queue>:events`): where qadmin's
 * metrics stopped reading each, and the id of its last entry (null for none):
 * two values per queue. A key of the wrong type reads as missing, as the
 * sampler then starts that queue afresh.
 */
export const STREAM_ENDS = queueScript(
  `local out = {}
for i = 1, #KEYS do
  local base = string.sub(KEYS[i], 1, -7)
  local position = redis.pcall('GET', base .. 'qadmin:metrics:position')
  if type(position) == 'table' then position = false end
  local last = redis.pcall('XREVRANGE', KEYS[i], '+', '-', 'COUNT', 1)
  if type(last) == 'table' and last[1] then last = last[1][1] else last = false end
  out[2 * i - 1] = position
  out[2 * i] = last
end
return out`,
  2,
  (pipeline, events) => {
    pipeline
      .get(`${events.slice(0, -'events'.length)}qadmin:metrics:position`)
      .xrevrange(events, '+', '-', 'COUNT', 1);
  },
  (replies, out, at) => {
    out[at] = typeof replies[0] === 'string' ? replies[0] : null;
    const entries = replies[1] as [string, string[]][] | undefined;
    out[at + 1] = Array.isArray(entries) ? (entries[0]?.[0] ?? null) : null;
  },
);

/**
 * The Redis hash tag of a key (the part its slot is computed from), by Redis'
 * rule: between the first `{` and the first `}` after it, when not empty;
 * otherwise the whole key.
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Whether every key under `prefix` (`<prefix>:...`) takes its hash slot from the prefix alone. */
export function prefixHasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open !== -1 && prefix.indexOf('}', open + 1) > open + 1;
}

/**
 * Runs {@link QueueScript}s over many queues in one round trip (two the
 * first time a Redis sees a script: EVALSHA answers NOSCRIPT and EVAL sends
 * it along). On a cluster the queues are grouped by hash tag, one pipeline
 * per group, all sent at once. Once Redis refuses scripts (an ACL without
 * `@scripting`), the same reads go as plain pipelined commands.
 */
export class QueueScripts {
  readonly #redis: RedisClient;
  readonly #cluster: boolean;
  #scriptsRefused = false;

  constructor(redis: RedisClient, cluster: boolean) {
    this.#redis = redis;
    this.#cluster = cluster;
  }

  /** The script's `width` values for each key, in the order of `keys`, one queue after the other. */
  async run(script: QueueScript, keys: readonly string[]): Promise<unknown[]> {
    const out = new Array<unknown>(keys.length * script.width);
    if (keys.length === 0) return out;
    const groups = this.#cluster ? groupBySlot(keys) : null;
    if (!groups || groups.size === 1) {
      await this.#runGroup(script, keys, out);
      return out;
    }
    await Promise.all(
      [...groups.values()].map(async ({ keys: grouped, at }) => {
        const answered = new Array<unknown>(grouped.length * script.width);
        await this.#runGroup(script, grouped, answered);
        at.forEach((index, j) => {
          for (let f = 0; f < script.width; f++) {
            out[index * script.width + f] = answered[j * script.width + f];
          }
        });
      }),
    );
    return out;
  }

  /** Runs a script over keys that share one slot (or any keys on a standalone Redis). */
  async #runGroup(script: QueueScript, keys: readonly string[], out: unknown[]): Promise<void> {
    if (this.#scriptsRefused) return this.#runPipelined(script, keys, out);
    const chunks: (readonly string[])[] = [];
    for (let from = 0; from < keys.length; from += CHUNK) {
      chunks.push(keys.length <= CHUNK ? keys : keys.slice(from, from + CHUNK));
    }
    const pipeline = this.#redis.pipeline();
    for (const chunk of chunks) pipeline.evalsha(script.sha, chunk.length, ...chunk);
    const replies = ((await pipeline.exec()) ?? []) as Replies;
    const missing: number[] = [];
    for (let c = 0; c < chunks.length; c++) {
      const [error, value] = replies[c] ?? [new Error('no reply')];
      if (!error) copy(value, out, c * CHUNK * script.width);
      else if (error.message.startsWith('NOSCRIPT')) missing.push(c);
      else if (REFUSED.test(error.message)) {
        this.#scriptsRefused = true;
        return this.#runPipelined(script, keys, out);
      } else throw error;
    }
    if (missing.length === 0) return;
    // This Redis (or cluster node) has not seen the script yet, or was restarted: EVAL sends
    // it along, and caches it for the next EVALSHA.
    const again = this.#redis.pipeline();
    for (const c of missing) again.eval(script.lua, chunks[c]!.length, ...chunks[c]!);
    const sent = ((await again.exec()) ?? []) as Replies;
    missing.forEach((c, i) => {
      const [error, value] = sent[i] ?? [new Error('no reply')];
      if (error) throw error;
      copy(value, out, c * CHUNK * script.width);
    });
  }

  async #runPipelined(script: QueueScript, keys: readonly string[], out: unknown[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (const key of keys) script.pipelined(pipeline, key);
    const replies = ((await pipeline.exec()) ?? []) as Replies;
    const perQueue = replies.length / keys.length;
    const values: unknown[] = [];
    for (let q = 0; q < keys.length; q++) {
      values.length = 0;
      for (let r = 0; r < perQueue; r++) {
        const [error, value] = replies[q * perQueue + r] ?? [new Error('no reply')];
        values.push(error ?? value);
      }
      script.decode(values, out, q * script.width);
    }
  }
}

/** A pipelined command's reply, or its error thrown (the script's `redis.call` fails the same way). */
function succeeded(reply: unknown): unknown {
  if (reply instanceof Error) throw reply;
  return reply;
}

/** Keys grouped by hash tag (so by slot), each with the indexes it had in `keys`. */
function groupBySlot(keys: readonly string[]): Map<string, { keys: string[]; at: number[] }> {
  const groups = new Map<string, { keys: string[]; at: number[] }>();
  keys.forEach((key, i) => {
    const tag = hashTag(key);
    const group = groups.get(tag);
    if (group) {
      group.keys.push(key);
      group.at.push(i);
    } else groups.set(tag, { keys: [key], at: [i] });
  });
  return groups;
}

/** Copies one script answer (a flat array) into `out` from `at`. */
function copy(value: unknown, out: unknown[], at: number): void {
  const values = value as unknown[];
  for (let i = 0; i < values.length; i++) out[at + i] = values[i];
}
