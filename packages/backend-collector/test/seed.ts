/**
 * Seeds a collector the way workers would: by reporting events (the
 * collector's own "library API"), never by writing its tables.
 */
import type { JobState } from '@qadmin/core';
import type { SeededJobs, SeedSpec } from '@qadmin/testkit';
import type { CollectorBackend, CollectorEventInput } from '../src/index';

let serial = 0;
const HOUR = 3_600_000;

/** The worker that holds seeded active jobs: it keeps sending heartbeats while the store is open. */
export const LIVE_WORKER = 'seed-live-worker';

export async function seedCollector(
  backend: CollectorBackend,
  queue: string,
  spec: SeedSpec,
): Promise<SeededJobs> {
  const seeded: SeededJobs = {};
  const events: CollectorEventInput[] = [];
  let time = Date.now();
  const event = (fields: Record<string, unknown>) => {
    events.push({ id: `seed-${++serial}`, time: ++time, ...fields } as CollectorEventInput);
  };
  const gone = `seed-gone-${serial}`;
  for (const [state, count] of Object.entries(spec)) {
    if (typeof count !== 'number') continue;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const jobId = `${state}-${++serial}`;
      ids.push(jobId);
      const job = { queue, jobId, name: spec.name?.(state as JobState, i) ?? `${state}-job` };
      const data = spec.data ? spec.data(state as JobState, i) : { i };
      switch (state as JobState) {
        case 'waiting':
          event({ type: 'queued', ...job, data });
          break;
        case 'delayed':
          event({ type: 'queued', ...job, data, delayUntil: Date.now() + 2 * HOUR });
          break;
        case 'active':
          event({ type: 'queued', ...job, data });
          event({ type: 'started', ...job, worker: LIVE_WORKER });
          break;
        case 'completed':
          event({ type: 'queued', ...job, data });
          event({ type: 'started', ...job, worker: LIVE_WORKER });
          event({ type: 'completed', ...job, result: { ok: i } });
          break;
        case 'failed':
          event({ type: 'queued', ...job, data, attemptsAllowed: 1 });
          event({ type: 'started', ...job, worker: LIVE_WORKER });
          event({
            type: 'failed',
            ...job,
            error: {
              message: spec.failedReason?.(i) ?? `boom ${i}`,
              stack: 'Error: boom\n    at seed',
            },
          });
          break;
        case 'cancelled':
          event({ type: 'queued', ...job, data });
          event({ type: 'cancelled', ...job, reason: 'seeded' });
          break;
        case 'abandoned':
          event({ type: 'queued', ...job, data });
          event({ type: 'started', ...job, worker: gone });
          break;
        default:
          throw new Error(`the collector has no ${state} state to seed`);
      }
      for (const message of spec.logs?.(state as JobState, i) ?? []) {
        event({
          type: 'log',
          ...job,
          message,
          worker: state === 'active' ? LIVE_WORKER : undefined,
        });
      }
    }
    seeded[state as JobState] = ids;
  }
  event({ type: 'heartbeat', worker: LIVE_WORKER, queues: [queue] });
  if (spec.abandoned) event({ type: 'heartbeat', worker: gone, queues: [queue], stopping: true });
  for (let i = 0; i < events.length; i += 1000) {
    const result = backend.record(events.slice(i, i + 1000));
    if (result.rejected.length > 0)
      throw new Error(`seed refused: ${JSON.stringify(result.rejected[0])}`);
  }
  if (spec.abandoned) backend.sweep();
  return seeded;
}
