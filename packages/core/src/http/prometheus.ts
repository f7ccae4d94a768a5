/**
 * Prometheus text exposition of the shared overview snapshot.
 */
import { Gauge, Registry } from 'prom-client';
import type { AdminService } from '../service';
import type { QadminResponse } from './types';

/**
 * Gauges filled from {@link AdminService.overview} on every scrape, in a
 * registry of their own (the host app's default registry is left alone). A
 * scrape costs the backends nothing beyond the shared snapshot.
 *
 * @example
 * ```ts
 * const exporter = new PrometheusExporter(service);
 * const text = await exporter.text();
 * ```
 */
export class PrometheusExporter {
  readonly registry = new Registry();
  readonly #service: AdminService;
  readonly #jobs: Gauge<'backend' | 'queue' | 'state'>;
  readonly #paused: Gauge<'backend' | 'queue'>;
  readonly #workers: Gauge<'backend' | 'queue'>;
  readonly #up: Gauge<'backend'>;

  constructor(service: AdminService) {
    this.#service = service;
    const registers = [this.registry];
    this.#jobs = new Gauge({
      name: 'qadmin_queue_jobs',
      help: 'Jobs in a queue by canonical state',
      labelNames: ['backend', 'queue', 'state'] as const,
      registers,
    });
    this.#paused = new Gauge({
      name: 'qadmin_queue_paused',
      help: '1 when the queue is paused',
      labelNames: ['backend', 'queue'] as const,
      registers,
    });
    this.#workers = new Gauge({
      name: 'qadmin_queue_workers',
      help: 'Workers consuming the queue (left out when the backend does not know)',
      labelNames: ['backend', 'queue'] as const,
      registers,
    });
    this.#up = new Gauge({
      name: 'qadmin_backend_up',
      help: '1 when the backend answered the latest snapshot',
      labelNames: ['backend'] as const,
      registers,
    });
  }

  /** The exposition text of the current snapshot. */
  async text(): Promise<string> {
    const overview = await this.#service.overview();
    // Reset and refill without an await in between, so a concurrent scrape
    // never sees half a snapshot and removed queues disappear.
    this.registry.resetMetrics();
    for (const backend of overview.backends)
      this.#up.set({ backend: backend.id }, backend.ok ? 1 : 0);
    for (const queue of overview.queues) {
      const labels = { backend: queue.backend, queue: queue.name };
      for (const [state, count] of Object.entries(queue.counts)) {
        if (count !== undefined) this.#jobs.set({ ...labels, state }, count);
      }
      this.#paused.set(labels, queue.paused ? 1 : 0);
      if (queue.workers !== null) this.#workers.set(labels, queue.workers);
    }
    return this.registry.metrics();
  }

  /** The scrape response. */
  async response(): Promise<QadminResponse> {
    return {
      status: 200,
      headers: {
        'content-type': this.registry.contentType,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: await this.text(),
    };
  }
}
