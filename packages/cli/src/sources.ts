/**
 * The queue backends `qadmin serve` reads, made from its settings, and the
 * start-up check that each one answers.
 */
import { createBullmqBackend } from '@qadmin/backend-bullmq';
import { createCollectorBackend } from '@qadmin/backend-collector';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createPgBossBackend } from '@qadmin/backend-pg-boss';
import type { QueueBackend } from '@qadmin/core';
import { redactUrl, type ServeSettings } from './config';
import { describeError, StartupError } from './errors';

/**
 * A change in a source's connection after start-up: `up: false` once its
 * client has lost the server and failed to reconnect (with that failure),
 * `up: true` when it is back.
 *
 * @example
 * ```ts
 * source.watchConnection?.((change) => console.log(change.up ? 'back' : 'lost'));
 * ```
 */
export interface ConnectionChange {
  up: boolean;
  error?: unknown;
}

/** One backend of the dashboard and how to name it in messages. */
export interface Source {
  backend: QueueBackend;
  /** What it reads: `demo`, `bullmq`, `pgboss` or `collector`. */
  kind: 'demo' | 'bullmq' | 'pgboss' | 'collector';
  /** `Redis redis://127.0.0.1:6379 (prefix bull)`, for start-up lines and errors. */
  description: string;
  /** The last connection error its client reported, for a clearer message than a timeout. */
  lastError(): unknown;
  /** Stops what the source runs besides the backend (the demo's workload). */
  stop(): void;
  /**
   * Hears when the connection is lost and when it is back, for sources whose
   * client says so (Redis). Requests do not wait for it: the backend answers
   * 503 for the source's queues meanwhile.
   */
  watchConnection?(listener: (change: ConnectionChange) => void): void;
}

/** How long a source may take to list its queues at start-up. */
export const PROBE_TIMEOUT_MS = 5_000;

/**
 * Creates a backend for each source of `settings`: the memory backend with
 * the demo workload, BullMQ per Redis, pg-boss per PostgreSQL, the event
 * collector per store file.
 *
 * @example
 * ```ts
 * const sources = createSources(settings);
 * ```
 */
export function createSources(settings: ServeSettings): Source[] {
  const sources: Source[] = [];
  if (settings.demo) {
    const backend = createMemoryBackend({ id: 'memory', label: 'demo (in-memory)' });
    const stopWorkload = startDemoWorkload(backend);
    sources.push({
      backend,
      kind: 'demo',
      description: 'demo (in-memory, with a synthetic workload)',
      lastError: () => undefined,
      stop: stopWorkload,
    });
  }
  for (const redis of settings.redis) {
    const backend = createBullmqBackend({
      connection: redis.url,
      prefix: redis.prefixes,
      id: redis.id,
      ...(redis.label !== undefined && { label: redis.label }),
    });
    let lastError: unknown;
    const listeners: ((change: ConnectionChange) => void)[] = [];
    // ioredis reconnects by itself and says `close`, then an `error` per failed attempt, then
    // `ready`: a loss is told at its first failed attempt, so a blip that reconnects at once is not.
    let state: 'up' | 'closed' | 'lost' = 'up';
    backend.redis.on('close', () => {
      if (state === 'up') state = 'closed';
    });
    backend.redis.on('error', (error: unknown) => {
      lastError = error;
      if (state !== 'closed') return;
      state = 'lost';
      for (const listener of listeners) listener({ up: false, error });
    });
    backend.redis.on('ready', () => {
      const wasLost = state === 'lost';
      state = 'up';
      if (wasLost) for (const listener of listeners) listener({ up: true });
    });
    sources.push({
      backend,
      kind: 'bullmq',
      description: `Redis ${redactUrl(redis.url)} (BullMQ, prefix ${redis.prefixes.join(', ')})`,
      lastError: () => lastError,
      stop: () => {},
      watchConnection: (listener) => {
        listeners.push(listener);
      },
    });
  }
  for (const postgres of settings.postgres) {
    const backend = createPgBossBackend({
      connection: postgres.url,
      schema: postgres.schema,
      id: postgres.id,
      ...(postgres.label !== undefined && { label: postgres.label }),
    });
    sources.push({
      backend,
      kind: 'pgboss',
      description: `PostgreSQL ${redactUrl(postgres.url)} (pg-boss, schema ${postgres.schema})`,
      lastError: () => undefined,
      stop: () => {},
    });
  }
  for (const collector of settings.collectors) {
    let backend: QueueBackend;
    try {
      backend = createCollectorBackend({
        file: collector.file,
        ingestTokens: settings.ingestTokens,
        id: collector.id,
        ...(collector.label !== undefined && { label: collector.label }),
      });
    } catch (error) {
      // The sources made so far hold connections: close them, or the process would not exit.
      for (const source of sources) {
        source.stop();
        void source.backend.close?.();
      }
      throw new StartupError(
        `cannot open the collector store ${collector.file}: ${describeError(error)}`,
      );
    }
    const ingest =
      settings.ingestTokens.length > 0
        ? `workers report to api/ingest/events with one of ${settings.ingestTokens.length} ingest token(s)`
        : 'no ingest tokens (QADMIN_INGEST_TOKENS or ingestTokens): workers cannot report';
    sources.push({
      backend,
      kind: 'collector',
      description: `collector ${collector.file} (${ingest})`,
      lastError: () => undefined,
      stop: () => {},
    });
  }
  return sources;
}

/**
 * Lists the queues of one source once, within {@link PROBE_TIMEOUT_MS};
 * throws a {@link StartupError} naming the source and its connection error.
 *
 * @example
 * ```ts
 * const names = await probeSource(source);
 * ```
 */
export async function probeSource(source: Source, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const queues = await Promise.race([source.backend.listQueues(), late]);
    return queues.map((queue) => queue.name).sort();
  } catch (error) {
    // The client's own connection error (ECONNREFUSED, ENOTFOUND, auth) says more than a timeout.
    // A backend wraps its client's failure in a 503 whose cause is the part worth printing.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    const reason = describeError(source.lastError() ?? cause);
    throw new StartupError(
      `cannot read from source ${JSON.stringify(source.backend.id)}, ${source.description}: ${reason}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
