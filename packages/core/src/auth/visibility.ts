import type { ApiWorker, DashboardEvent, Overview, Throughput } from '../api';
import type { AuditPage } from '../audit';

/**
 * Whether a principal may see a queue, by its dashboard-wide id
 * (`<backend>:<name>`).
 */
export type QueueVisibility = (queueId: string) => boolean;

/**
 * The answer of a route with the queues a principal may not see left out:
 * the overview's queues, workers' queue ids (a worker left with none is left
 * out), throughput by queue, audit entries. Other answers are returned as
 * they are (per-queue routes answer 404 before they run).
 *
 * @example
 * ```ts
 * const shown = hideQueues('overview', overview, (id) => id !== 'bullmq:payroll');
 * ```
 */
export function hideQueues(operationId: string, data: unknown, visible: QueueVisibility): unknown {
  switch (operationId) {
    case 'overview': {
      const overview = data as Overview;
      return { ...overview, queues: overview.queues.filter((queue) => visible(queue.id)) };
    }
    case 'listWorkers':
      return (data as ApiWorker[]).flatMap((worker) => {
        const queueIds = worker.queueIds.filter(visible);
        return queueIds.length > 0 ? [{ ...worker, queueIds }] : [];
      });
    case 'throughput': {
      const throughput = data as Throughput;
      return {
        ...throughput,
        queues: Object.fromEntries(Object.entries(throughput.queues).filter(([id]) => visible(id))),
      };
    }
    case 'audit': {
      const page = data as AuditPage;
      return { ...page, entries: page.entries.filter((entry) => visible(entry.queueId)) };
    }
    default:
      return data;
  }
}

/**
 * A live event as a principal may see it: an overview without the hidden
 * queues (made once per snapshot and stream), nothing for a hidden queue's
 * events.
 *
 * @example
 * ```ts
 * const filter = eventFilter((id) => id.startsWith('memory:'));
 * const shown = filter(event); // null: not for this principal
 * ```
 */
export function eventFilter(
  visible: QueueVisibility,
): (event: DashboardEvent) => DashboardEvent | null {
  const overviews = new WeakMap<Overview, Overview>();
  return (event) => {
    if (event.type === 'overview') {
      let shown = overviews.get(event.overview);
      if (!shown) {
        shown = hideQueues('overview', event.overview, visible) as Overview;
        overviews.set(event.overview, shown);
      }
      return { type: 'overview', overview: shown };
    }
    return 'queueId' in event && !visible(event.queueId) ? null : event;
  };
}
