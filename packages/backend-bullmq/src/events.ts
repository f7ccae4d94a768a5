import type { BackendEvent, JobState } from '@qadmin/core';
import type { RedisClient as Redis } from './keys';

/** BullMQ's event names that say a job entered a state. */
const STATE_OF_EVENT: Record<string, JobState | 'removed'> = {
  added: 'waiting',
  waiting: 'waiting',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
  delayed: 'delayed',
  prioritized: 'prioritized',
  'waiting-children': 'waiting-children',
  removed: 'removed',
};

/** One watched stream: whose events it carries and the last entry read. */
interface Watched {
  queue: string;
  /** Streams of one group share a Redis Cluster slot (the queue's hash-tagged prefix). */
  group: string;
  lastId: string;
}

/**
 * Reads the event streams BullMQ writes for every queue (`<prefix>:<queue>:events`)
 * on ONE blocking connection, with one `XREAD` over all of them, however many
 * queues and dashboards there are, and turns entries into
 * {@link BackendEvent}s. It runs only while someone listens.
 */
export class EventReader {
  readonly #redis: Redis;
  readonly #listeners = new Set<(event: BackendEvent) => void>();
  readonly #streams = new Map<string, Watched>();
  readonly #pending = new Map<string, { queue: string; group: string }>();
  readonly #rediscover: () => Promise<readonly { queue: string; key: string; group: string }[]>;
  readonly #discoveryMs: number;
  #reader: Redis | undefined;
  /**
   * The watched streams' keys, one list per XREAD (per slot on a Redis Cluster), made again
   * only when the set of streams changes: the loop runs every second or more often.
   */
  #groups: string[][] | undefined;
  #running: Promise<void> | undefined;
  #lastDiscovery = 0;

  constructor(
    redis: Redis,
    rediscover: () => Promise<readonly { queue: string; key: string; group: string }[]>,
    discoveryMs: number,
  ) {
    this.#redis = redis;
    this.#rediscover = rediscover;
    this.#discoveryMs = discoveryMs;
  }

  /** Adds a listener; the returned function removes it (twice is harmless). */
  subscribe(listener: (event: BackendEvent) => void): () => void {
    const entry = (event: BackendEvent) => listener(event);
    this.#listeners.add(entry);
    if (!this.#running) {
      this.#running = this.#loop().finally(() => {
        this.#running = undefined;
      });
    }
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size === 0) this.#reader?.disconnect();
    };
  }

  /** Watch a queue's stream from now on (a queue the backend just created). */
  watch(queue: string, key: string, group: string): void {
    if (!this.#streams.has(key)) this.#pending.set(key, { queue, group });
  }

  /** Stops reading. */
  close(): void {
    this.#listeners.clear();
    this.#reader?.disconnect();
  }

  #emit(event: BackendEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  /** Starts watching new streams at their current end; reports whether the set changed. */
  async #refresh(): Promise<void> {
    let changed = false;
    if (Date.now() - this.#lastDiscovery >= this.#discoveryMs) {
      this.#lastDiscovery = Date.now();
      const found = await this.#rediscover();
      const keys = new Set(found.map((entry) => entry.key));
      for (const key of this.#streams.keys()) {
        if (!keys.has(key)) {
          this.#streams.delete(key);
          this.#groups = undefined;
          changed = true;
        }
      }
      for (const { queue, key, group } of found) {
        if (!this.#streams.has(key)) this.#pending.set(key, { queue, group });
      }
    }
    if (this.#pending.size > 0) {
      const pending = [...this.#pending];
      this.#pending.clear();
      const pipeline = this.#redis.pipeline();
      for (const [key] of pending) pipeline.xrevrange(key, '+', '-', 'COUNT', 1);
      const results = (await pipeline.exec()) ?? [];
      pending.forEach(([key, { queue, group }], i) => {
        const entries = (results[i]?.[1] ?? []) as [string, string[]][];
        this.#streams.set(key, { queue, group, lastId: entries[0]?.[0] ?? '0-0' });
      });
      this.#groups = undefined;
      // The first discovery is the starting set, not a change.
      if (this.#lastDiscovery !== 0 && pending.length > 0) changed = true;
    }
    if (changed) this.#emit({ type: 'queues-changed' });
  }

  async #loop(): Promise<void> {
    this.#lastDiscovery = 0;
    this.#streams.clear();
    this.#groups = undefined;
    while (this.#listeners.size > 0) {
      try {
        await this.#refresh();
        if (this.#streams.size === 0) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        this.#reader ??= this.#connect();
        // One XREAD over every stream; on a Redis Cluster one per slot (prefix), as XREAD
        // cannot cross slots.
        this.#groups ??= this.#groupStreams();
        const groups = this.#groups;
        const blockMs = Math.max(50, Math.floor(1000 / groups.length));
        for (const keys of groups) {
          const ids = keys.map((key) => this.#streams.get(key)!.lastId);
          const result = (await this.#reader.xread(
            'COUNT',
            1000,
            'BLOCK',
            blockMs,
            'STREAMS',
            ...keys,
            ...ids,
          )) as [string, [string, string[]][]][] | null;
          for (const [key, entries] of result ?? []) {
            const watched = this.#streams.get(key);
            if (!watched) continue;
            for (const [entryId, flat] of entries) {
              watched.lastId = entryId;
              const fields: Record<string, string> = {};
              for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
              const event = toBackendEvent(watched.queue, fields);
              if (event) this.#emit(event);
            }
          }
        }
      } catch {
        // Redis away or the reader was closed: wait a moment and try again while anyone listens.
        this.#reader?.disconnect();
        this.#reader = undefined;
        if (this.#listeners.size > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    this.#reader?.disconnect();
    this.#reader = undefined;
  }

  #groupStreams(): string[][] {
    const groups = new Map<string, string[]>();
    for (const [key, watched] of this.#streams) {
      const group = this.#redis.isCluster ? watched.group : '';
      const keys = groups.get(group);
      if (keys) keys.push(key);
      else groups.set(group, [key]);
    }
    return [...groups.values()];
  }

  #connect(): Redis {
    const reader =
      'nodes' in this.#redis
        ? this.#redis.duplicate()
        : this.#redis.duplicate({ maxRetriesPerRequest: 1 });
    reader.on('error', () => {});
    return reader;
  }
}

/** A BackendEvent from one entry of a queue's event stream, or `null` for entries the UI does not need. */
export function toBackendEvent(queue: string, fields: Record<string, string>): BackendEvent | null {
  const { event, jobId } = fields;
  if (event === 'paused' || event === 'resumed') {
    return { type: 'queue', queue, paused: event === 'paused' };
  }
  if (!jobId || !event) return null;
  if (event === 'progress') {
    let progress: unknown = null;
    try {
      progress = JSON.parse(fields.data ?? 'null');
    } catch {
      progress = null;
    }
    return {
      type: 'progress',
      queue,
      jobId,
      progress:
        typeof progress === 'number' ||
        (progress !== null && typeof progress === 'object' && !Array.isArray(progress))
          ? (progress as number | Record<string, unknown>)
          : null,
    };
  }
  const state = STATE_OF_EVENT[event];
  if (!state) return null;
  return fields.name
    ? { type: 'job', queue, jobId, state, name: fields.name }
    : { type: 'job', queue, jobId, state };
}
