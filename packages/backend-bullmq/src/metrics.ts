import { randomUUID } from 'node:crypto';
import {
  addSample,
  checkMetricsQuery,
  emptyMinuteMetrics,
  METRICS_RESOLUTION_MS,
  type MetricSeries,
  type MetricsQuery,
  type MinuteMetrics,
  metricSeries,
} from '@qadmin/core';
import type { RedisClient as Redis } from './keys';
import { eventsKey, type QueueRef, queueKeys } from './keys';
import { type QueueScripts, STREAM_ENDS } from './scripts';

/**
 * qadmin's own metrics for BullMQ queues, kept in Redis beside the queue so
 * that every dashboard instance reads the same numbers.
 *
 * A sampler reads each queue's event stream (`<prefix>:<queue>:events`) from
 * where the last round stopped (the position is stored in Redis too), takes
 * each `completed` and `failed` entry, reads the job's times, and adds it to
 * its minute: `<prefix>:<queue>:qadmin:metrics:<minute start>`, a hash with
 * the counts and a uniform sample of wait and processing times, expiring
 * after the retention. One instance samples at a time (a lock with a
 * deadline), so several dashboards never count a job twice; obliterating the
 * queue removes its metrics with it.
 *
 * What it cannot see: jobs that finished while no dashboard ran for longer
 * than the event stream keeps (BullMQ trims it to about 10,000 entries).
 */

const LOCK_MS = 30_000;
/** Stream entries read per call, and per queue per round at most. */
const READ_COUNT = 2_000;
const MAX_PER_ROUND = 50_000;

/**
 * The keys of qadmin's metrics for one queue (scripts.ts's STREAM_ENDS reads `position` by the
 * same name, from the queue's event stream key).
 */
function metricKeys(ref: QueueRef) {
  const base = `${ref.prefix}:${ref.name}:qadmin:metrics:`;
  return {
    position: `${base}position`,
    minute: (start: number) => `${base}${start}`,
  };
}

/** The lock that lets one dashboard instance sample a prefix at a time. */
const lockKey = (prefix: string) => `${prefix}:qadmin:metrics-lock`;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

interface StoredMinute {
  completed: number;
  failed: number;
  waitSeen: number;
  wait: number[];
  processSeen: number;
  process: number[];
}

function readMinute(start: number, hash: Record<string, string>): MinuteMetrics {
  const numbers = (text: string | undefined): number[] => {
    try {
      const value = JSON.parse(text ?? '[]') as unknown;
      return Array.isArray(value) ? value.filter((n): n is number => typeof n === 'number') : [];
    } catch {
      return [];
    }
  };
  const int = (text: string | undefined) => Math.max(0, Number.parseInt(text ?? '0', 10) || 0);
  return {
    start,
    completed: int(hash.completed),
    failed: int(hash.failed),
    waitMs: { seen: int(hash.waitSeen), samples: numbers(hash.wait) },
    processMs: { seen: int(hash.processSeen), samples: numbers(hash.process) },
  };
}

function storedOf(minute: MinuteMetrics): StoredMinute {
  return {
    completed: minute.completed,
    failed: minute.failed,
    waitSeen: minute.waitMs.seen,
    wait: minute.waitMs.samples,
    processSeen: minute.processMs.seen,
    process: minute.processMs.samples,
  };
}

/** See the module comment. */
export class MetricsSampler {
  readonly #redis: Redis;
  readonly #scripts: QueueScripts;
  readonly #retentionMs: number;
  readonly #token = randomUUID();

  constructor(redis: Redis, scripts: QueueScripts, retentionMs: number) {
    this.#redis = redis;
    this.#scripts = scripts;
    this.#retentionMs = retentionMs;
  }

  /**
   * One sampling round over these queues, unless another instance holds the
   * prefix's lock. Returns how many finished jobs it recorded.
   */
  async sample(queues: readonly QueueRef[]): Promise<number> {
    let recorded = 0;
    const byPrefix = new Map<string, QueueRef[]>();
    for (const ref of queues) {
      const refs = byPrefix.get(ref.prefix);
      if (refs) refs.push(ref);
      else byPrefix.set(ref.prefix, [ref]);
    }
    for (const [prefix, refs] of byPrefix) {
      const locked = await this.#redis.set(lockKey(prefix), this.#token, 'PX', LOCK_MS, 'NX');
      if (locked !== 'OK') continue;
      try {
        // Where each queue's stream ends and where counting stopped, for all queues in one
        // round trip: only queues with new entries are read further.
        const ends = await this.#scripts.run(STREAM_ENDS, refs.map(eventsKey));
        const starts = this.#redis.pipeline();
        let starting = 0;
        for (let i = 0; i < refs.length; i++) {
          const ref = refs[i]!;
          const position = ends[2 * i] as string | null;
          const last = (ends[2 * i + 1] as string | null) ?? undefined;
          if (position === null) {
            // First round for this queue: count from the stream's end (history is not ours).
            starts.set(metricKeys(ref).position, last ?? '0-0');
            starting++;
          } else if (last !== undefined && last !== position) {
            recorded += await this.#sampleQueue(ref, position);
          }
        }
        if (starting > 0) await starts.exec();
      } finally {
        await this.#redis.eval(RELEASE, 1, lockKey(prefix), this.#token).catch(() => {});
      }
    }
    return recorded;
  }

  /** Reads a queue's stream after `from` and records the finished jobs in it. */
  async #sampleQueue(ref: QueueRef, from: string): Promise<number> {
    const keys = queueKeys(ref);
    const mkeys = metricKeys(ref);
    let position = from;
    let recorded = 0;
    for (let read = 0; read < MAX_PER_ROUND; ) {
      const entries = (await this.#redis.xrange(
        keys.events,
        `(${position}`,
        '+',
        'COUNT',
        READ_COUNT,
      )) as [string, string[]][];
      if (entries.length === 0) break;
      read += entries.length;
      const finished: { jobId: string; outcome: 'completed' | 'failed'; at: number }[] = [];
      for (const [entryId, flat] of entries) {
        let event: string | undefined;
        let jobId: string | undefined;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          if (flat[i] === 'event') event = flat[i + 1];
          else if (flat[i] === 'jobId') jobId = flat[i + 1];
        }
        if (jobId && (event === 'completed' || event === 'failed')) {
          finished.push({ jobId, outcome: event, at: Number(entryId.split('-')[0]) });
        }
      }
      position = entries[entries.length - 1]![0];
      recorded += await this.#record(ref, finished);
      await this.#redis.set(mkeys.position, position);
      if (entries.length < READ_COUNT) break;
    }
    return recorded;
  }

  async #record(
    ref: QueueRef,
    finished: readonly { jobId: string; outcome: 'completed' | 'failed'; at: number }[],
  ): Promise<number> {
    if (finished.length === 0) return 0;
    const keys = queueKeys(ref);
    const mkeys = metricKeys(ref);
    const times = this.#redis.pipeline();
    for (const { jobId } of finished) {
      times.hmget(keys.job(jobId), 'timestamp', 'delay', 'processedOn', 'finishedOn');
    }
    const rows = ((await times.exec()) ?? []).map(([, value]) => value as (string | null)[]);
    const minutes = new Map<number, MinuteMetrics>();
    const touched: number[] = [];
    finished.forEach(({ outcome, at }, i) => {
      const time = (index: number): number | null => {
        const text = rows[i]?.[index];
        const value = text === null || text === undefined ? Number.NaN : Number(text);
        return Number.isFinite(value) ? value : null;
      };
      const [created, delay, processed, done] = [time(0), time(1), time(2), time(3)];
      // A job removed on completion has no times left: it still counts, at its event's time.
      const finishedAt = done ?? at;
      const start = Math.floor(finishedAt / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS;
      let minute = minutes.get(start);
      if (!minute) {
        minute = emptyMinuteMetrics(start);
        minutes.set(start, minute);
        touched.push(start);
      }
      minute[outcome]++;
      if (created !== null && processed !== null) {
        addSample(minute.waitMs, Math.max(0, processed - (created + (delay ?? 0))));
      }
      if (processed !== null && done !== null) {
        addSample(minute.processMs, Math.max(0, done - processed));
      }
    });
    // Merge with what is stored for those minutes.
    const read = this.#redis.pipeline();
    for (const start of touched) read.hgetall(mkeys.minute(start));
    const stored = ((await read.exec()) ?? []).map(([, value]) => value as Record<string, string>);
    const write = this.#redis.pipeline();
    touched.forEach((start, i) => {
      const fresh = minutes.get(start)!;
      const old = readMinute(start, stored[i] ?? {});
      const merged: MinuteMetrics = {
        start,
        completed: old.completed + fresh.completed,
        failed: old.failed + fresh.failed,
        waitMs: mergeReservoir(old.waitMs, fresh.waitMs),
        processMs: mergeReservoir(old.processMs, fresh.processMs),
      };
      const value = storedOf(merged);
      write.hset(mkeys.minute(start), {
        completed: value.completed,
        failed: value.failed,
        waitSeen: value.waitSeen,
        wait: JSON.stringify(value.wait),
        processSeen: value.processSeen,
        process: JSON.stringify(value.process),
      });
      write.pexpireat(mkeys.minute(start), start + this.#retentionMs);
    });
    await write.exec();
    return finished.length;
  }

  /** The stored minutes of a queue as a series (one pipeline over the minutes of the range). */
  async series(ref: QueueRef, query: MetricsQuery): Promise<MetricSeries> {
    checkMetricsQuery(query);
    const mkeys = metricKeys(ref);
    const first = Math.floor(query.from / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS;
    const starts: number[] = [];
    const oldest = Date.now() - this.#retentionMs - METRICS_RESOLUTION_MS;
    for (
      let start = Math.max(first, Math.floor(oldest / 60_000) * 60_000);
      start < query.to;
      start += METRICS_RESOLUTION_MS
    ) {
      starts.push(start);
    }
    const pipeline = this.#redis.pipeline();
    for (const start of starts) pipeline.hgetall(mkeys.minute(start));
    const results = starts.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const minutes: MinuteMetrics[] = [];
    results.forEach(([, value], i) => {
      const hash = value as Record<string, string>;
      if (hash && Object.keys(hash).length > 0) minutes.push(readMinute(starts[i]!, hash));
    });
    return metricSeries(minutes, query);
  }
}

/** Two uniform samples merged into one that stays uniform over both. */
function mergeReservoir(
  a: MinuteMetrics['waitMs'],
  b: MinuteMetrics['waitMs'],
): MinuteMetrics['waitMs'] {
  const merged = { seen: a.seen, samples: [...a.samples] };
  // Each of b's samples stands for b.seen / b.samples.length values.
  if (b.samples.length === 0) return { seen: a.seen + b.seen, samples: merged.samples };
  const weight = b.seen / b.samples.length;
  for (const value of b.samples) {
    for (let n = 0; n < weight; n++) addSample(merged, value);
  }
  merged.seen = a.seen + b.seen;
  return merged;
}
