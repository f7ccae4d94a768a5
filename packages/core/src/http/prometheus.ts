/**
 * Prometheus text exposition of the shared overview snapshot.
 */
import type { Gauge, Registry } from 'prom-client';
import type { Overview } from '../api';
import { hideQueues, type QueueVisibility } from '../auth/visibility';
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
  readonly #service: AdminService;
  #metrics: Promise<Metrics> | undefined;

  constructor(service: AdminService) {
    this.#service = service;
  }

  /**
   * The registry and its gauges, made on the first scrape: prom-client costs
   * about 11 MB of memory once loaded, which a dashboard nobody scrapes
   * should not pay.
   */
  #load(): Promise<Metrics> {
    this.#metrics ??= import('prom-client').then(({ Gauge, Registry }) => {
      const registry = new Registry();
      const registers = [registry];
      return {
        registry,
        jobs: new Gauge({
          name: 'qadmin_queue_jobs',
          help: 'Jobs in a queue by canonical state',
          labelNames: ['backend', 'queue', 'state'] as const,
          registers,
        }),
        paused: new Gauge({
          name: 'qadmin_queue_paused',
          help: '1 when the queue is paused',
          labelNames: ['backend', 'queue'] as const,
          registers,
        }),
        workers: new Gauge({
          name: 'qadmin_queue_workers',
          help: 'Workers consuming the queue (left out when the backend does not know)',
          labelNames: ['backend', 'queue'] as const,
          registers,
        }),
        up: new Gauge({
          name: 'qadmin_backend_up',
          help: '1 when the backend answered the latest snapshot',
          labelNames: ['backend'] as const,
          registers,
        }),
      };
    });
    return this.#metrics;
  }

  /** The exposition text of the current snapshot (of the queues `visible` lets through). */
  async text(visible: QueueVisibility | null = null): Promise<string> {
    const [snapshot, m] = await Promise.all([this.#service.overview(), this.#load()]);
    const overview = visible ? (hideQueues('overview', snapshot, visible) as Overview) : snapshot;
    // Reset and refill without an await in between, so a concurrent scrape
    // never sees half a snapshot and removed queues disappear.
    m.registry.resetMetrics();
    for (const backend of overview.backends) m.up.set({ backend: backend.id }, backend.ok ? 1 : 0);
    for (const queue of overview.queues) {
      const labels = { backend: queue.backend, queue: queue.name };
      for (const [state, count] of Object.entries(queue.counts)) {
        if (count !== undefined) m.jobs.set({ ...labels, state }, count);
      }
      m.paused.set(labels, queue.paused ? 1 : 0);
      if (queue.workers !== null) m.workers.set(labels, queue.workers);
    }
    return m.registry.metrics();
  }

  /** The scrape response. */
  async response(visible: QueueVisibility | null = null): Promise<QadminResponse> {
    const body = await this.text(visible);
    return {
      status: 200,
      headers: {
        'content-type': (await this.#load()).registry.contentType,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body,
    };
  }
}

interface Metrics {
  registry: Registry;
  jobs: Gauge<'backend' | 'queue' | 'state'>;
  paused: Gauge<'backend' | 'queue'>;
  workers: Gauge<'backend' | 'queue'>;
  up: Gauge<'backend'>;
}
