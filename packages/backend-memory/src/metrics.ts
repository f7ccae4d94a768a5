import { invalidInput, type MetricBucket, type MetricSeries, type Percentiles } from '@qadmin/core';

/** Resolution metrics are kept at; queries re-bucket from it. */
const METRICS_RESOLUTION_MS = 60_000;
/** Duration samples kept per minute (a uniform reservoir sample beyond that). */
const SAMPLES_PER_BUCKET = 200;
/** The most buckets one metrics query may ask for. */
const MAX_QUERY_BUCKETS = 10_000;

/** A uniform sample of durations with the number of values it stands for. */
interface Reservoir {
  seen: number;
  samples: number[];
}

interface MinuteBucket {
  completed: number;
  failed: number;
  waitMs: Reservoir;
  processMs: Reservoir;
}

/**
 * Per-queue throughput and durations: one bucket per minute with counts and a
 * bounded reservoir sample of wait and processing times, dropped after the
 * retention. Memory is bounded by `retention / 1 min * (2 * 200)` numbers per
 * queue, whatever the throughput.
 *
 * @internal
 */
export class MetricsRecorder {
  readonly #retentionMs: number;
  readonly #buckets = new Map<number, MinuteBucket>();
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(retentionMs: number) {
    this.#retentionMs = retentionMs;
  }

  /** Records a job that finished at `finishedAt` (completed, or failed for good). */
  record(
    outcome: 'completed' | 'failed',
    finishedAt: number,
    waitMs: number | null,
    processMs: number | null,
  ): void {
    const start = Math.floor(finishedAt / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS;
    this.#prune(start);
    let bucket = this.#buckets.get(start);
    if (!bucket) {
      bucket = {
        completed: 0,
        failed: 0,
        waitMs: { seen: 0, samples: [] },
        processMs: { seen: 0, samples: [] },
      };
      this.#buckets.set(start, bucket);
    }
    bucket[outcome]++;
    if (waitMs !== null) sample(bucket.waitMs, Math.max(0, waitMs));
    if (processMs !== null) sample(bucket.processMs, Math.max(0, processMs));
  }

  /** Buckets of `bucketMs` from `from` (inclusive) to `to` (exclusive), gap-free. */
  series(from: number, to: number, bucketMs: number): MetricSeries {
    if (!Number.isInteger(bucketMs) || bucketMs <= 0) {
      throw invalidInput('query.bucketMs', 'must be a positive integer');
    }
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
      throw invalidInput('query.to', 'must be a time at or after from');
    }
    const count = Math.ceil((to - from) / bucketMs);
    if (count > MAX_QUERY_BUCKETS) {
      throw invalidInput(
        'query.bucketMs',
        `asks for ${count} buckets, at most ${MAX_QUERY_BUCKETS}`,
      );
    }
    const groups = Array.from({ length: count }, () => ({
      completed: 0,
      failed: 0,
      waitMs: [] as Reservoir[],
      processMs: [] as Reservoir[],
    }));
    for (const [start, bucket] of this.#buckets) {
      if (start < from || start >= to) continue;
      const group = groups[Math.floor((start - from) / bucketMs)]!;
      group.completed += bucket.completed;
      group.failed += bucket.failed;
      group.waitMs.push(bucket.waitMs);
      group.processMs.push(bucket.processMs);
    }
    const buckets: MetricBucket[] = groups.map((group, i) => ({
      start: from + i * bucketMs,
      completed: group.completed,
      failed: group.failed,
      waitMs: percentiles(group.waitMs),
      processMs: percentiles(group.processMs),
    }));
    return { from, to, bucketMs, buckets };
  }

  clear(): void {
    this.#buckets.clear();
  }

  /** Drops buckets past the retention, at most once per minute of activity. */
  #prune(current: number): void {
    if (current === this.#prunedAt) return;
    this.#prunedAt = current;
    const cutoff = current - this.#retentionMs;
    for (const start of this.#buckets.keys()) {
      if (start < cutoff) this.#buckets.delete(start);
    }
  }
}

/** Reservoir sampling (Algorithm R): every value seen has the same chance to be kept. */
function sample(reservoir: Reservoir, value: number): void {
  reservoir.seen++;
  if (reservoir.samples.length < SAMPLES_PER_BUCKET) {
    reservoir.samples.push(value);
    return;
  }
  const slot = Math.floor(Math.random() * reservoir.seen);
  if (slot < SAMPLES_PER_BUCKET) reservoir.samples[slot] = value;
}

/**
 * Nearest-rank percentiles over several reservoirs, each sample weighted by
 * how many values it stands for, so a busy minute counts for more than a
 * quiet one.
 */
function percentiles(reservoirs: readonly Reservoir[]): Percentiles | null {
  const weighted: [value: number, weight: number][] = [];
  let total = 0;
  for (const r of reservoirs) {
    if (r.samples.length === 0) continue;
    const weight = r.seen / r.samples.length;
    for (const value of r.samples) weighted.push([value, weight]);
    total += r.seen;
  }
  if (weighted.length === 0) return null;
  weighted.sort((a, b) => a[0] - b[0]);
  const at = (q: number): number => {
    const target = q * total;
    let cumulative = 0;
    for (const [value, weight] of weighted) {
      cumulative += weight;
      // A small tolerance: weights are ratios and their sum may fall a hair short.
      if (cumulative >= target - 1e-9) return value;
    }
    return weighted[weighted.length - 1]![0];
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
