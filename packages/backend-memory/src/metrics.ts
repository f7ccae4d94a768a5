import {
  addSample,
  emptyMinuteMetrics,
  METRICS_RESOLUTION_MS,
  type MetricSeries,
  type MinuteMetrics,
  metricSeries,
} from '@qadmin/core';

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
  readonly #buckets = new Map<number, MinuteMetrics>();
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
      bucket = emptyMinuteMetrics(start);
      this.#buckets.set(start, bucket);
    }
    bucket[outcome]++;
    if (waitMs !== null) addSample(bucket.waitMs, Math.max(0, waitMs));
    if (processMs !== null) addSample(bucket.processMs, Math.max(0, processMs));
  }

  /** Buckets of `bucketMs` from `from` (inclusive) to `to` (exclusive), gap-free. */
  series(from: number, to: number, bucketMs: number): MetricSeries {
    return metricSeries(this.#buckets.values(), { from, to, bucketMs });
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
