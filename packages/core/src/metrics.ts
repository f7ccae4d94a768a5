import { invalidInput } from './errors';
import type { MetricBucket, MetricSeries, MetricsQuery, Percentiles } from './model';

/**
 * The metric arithmetic every backend that keeps its own metrics shares:
 * per-minute counts and uniform samples of wait and processing times, turned
 * into the gap-free, re-bucketed series the API answers.
 */

/**
 * Resolution backends keep metrics at; queries re-bucket from it.
 *
 * @example
 * ```ts
 * const minute = Math.floor(finishedAt / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS;
 * ```
 */
export const METRICS_RESOLUTION_MS = 60_000;

/**
 * Duration samples kept per minute (a uniform reservoir sample beyond that).
 *
 * @example
 * ```ts
 * addSample(reservoir, 42, SAMPLES_PER_MINUTE);
 * ```
 */
export const SAMPLES_PER_MINUTE = 200;

/** The most buckets one metrics query may ask for. */
const MAX_QUERY_BUCKETS = 10_000;

/**
 * A uniform sample of durations and the number of values it stands for.
 *
 * @example
 * ```ts
 * const waitMs: Reservoir = { seen: 0, samples: [] };
 * ```
 */
export interface Reservoir {
  seen: number;
  samples: number[];
}

/**
 * What a backend keeps for one minute of one queue.
 *
 * @example
 * ```ts
 * const minute: MinuteMetrics = { start: 1_764_000_000_000, completed: 3, failed: 1, waitMs: { seen: 4, samples: [5, 9, 2, 30] }, processMs: { seen: 0, samples: [] } };
 * ```
 */
export interface MinuteMetrics {
  /** Start of the minute (epoch ms, a multiple of {@link METRICS_RESOLUTION_MS}). */
  start: number;
  completed: number;
  failed: number;
  waitMs: Reservoir;
  processMs: Reservoir;
}

/**
 * A minute with nothing in it yet, for a backend to count into.
 *
 * @example
 * ```ts
 * const minute = emptyMinuteMetrics(Math.floor(Date.now() / METRICS_RESOLUTION_MS) * METRICS_RESOLUTION_MS);
 * ```
 */
export function emptyMinuteMetrics(start: number): MinuteMetrics {
  return {
    start,
    completed: 0,
    failed: 0,
    waitMs: { seen: 0, samples: [] },
    processMs: { seen: 0, samples: [] },
  };
}

/**
 * Adds a value to a reservoir (Algorithm R: every value seen has the same
 * chance to be kept).
 *
 * @example
 * ```ts
 * addSample(minute.processMs, finishedAt - processedAt);
 * ```
 */
export function addSample(reservoir: Reservoir, value: number, size = SAMPLES_PER_MINUTE): void {
  reservoir.seen++;
  if (reservoir.samples.length < size) {
    reservoir.samples.push(value);
    return;
  }
  const slot = Math.floor(Math.random() * reservoir.seen);
  if (slot < size) reservoir.samples[slot] = value;
}

/**
 * Nearest-rank percentiles over several reservoirs, each sample weighted by
 * how many values it stands for, so a busy minute counts for more than a
 * quiet one; `null` when there is no sample.
 *
 * @example
 * ```ts
 * percentiles([{ seen: 3, samples: [1, 2, 3] }]); // { p50: 2, p95: 3, p99: 3 }
 * ```
 */
export function percentiles(reservoirs: readonly Reservoir[]): Percentiles | null {
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

/**
 * Checks a metrics query (400 naming the field) and says how many buckets it
 * has.
 *
 * @example
 * ```ts
 * const count = checkMetricsQuery({ from: 0, to: 3_600_000, bucketMs: 60_000 }); // 60
 * ```
 */
export function checkMetricsQuery({ from, to, bucketMs }: MetricsQuery): number {
  if (!Number.isInteger(bucketMs) || bucketMs <= 0) {
    throw invalidInput('query.bucketMs', 'must be a positive integer');
  }
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
    throw invalidInput('query.to', 'must be a time at or after from');
  }
  const count = Math.ceil((to - from) / bucketMs);
  if (count > MAX_QUERY_BUCKETS) {
    throw invalidInput('query.bucketMs', `asks for ${count} buckets, at most ${MAX_QUERY_BUCKETS}`);
  }
  return count;
}

/**
 * The series for a query from per-minute metrics: one bucket of `bucketMs`
 * per step from `from` (inclusive) to `to` (exclusive), empty ones included.
 *
 * @example
 * ```ts
 * const series = metricSeries(minutes, { from, to, bucketMs: 300_000 });
 * ```
 */
export function metricSeries(minutes: Iterable<MinuteMetrics>, query: MetricsQuery): MetricSeries {
  const { from, to, bucketMs } = query;
  const count = checkMetricsQuery(query);
  const groups = Array.from({ length: count }, () => ({
    completed: 0,
    failed: 0,
    waitMs: [] as Reservoir[],
    processMs: [] as Reservoir[],
  }));
  for (const minute of minutes) {
    if (minute.start < from || minute.start >= to) continue;
    const group = groups[Math.floor((minute.start - from) / bucketMs)]!;
    group.completed += minute.completed;
    group.failed += minute.failed;
    group.waitMs.push(minute.waitMs);
    group.processMs.push(minute.processMs);
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
