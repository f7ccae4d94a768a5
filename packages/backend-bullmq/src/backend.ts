import {
  type AddJobInput,
  type BackendEvent,
  BULK_ACTIONS,
  type BulkResult,
  type Capabilities,
  conflict,
  DEFAULT_AUDIT_CAP,
  defineBackend,
  invalidInput,
  isQadminError,
  type Job,
  type JobAction,
  type JobLogPage,
  type JobPage,
  type JobRef,
  type JobState,
  type ListJobsQuery,
  notFound,
  type QueueBackend,
  type QueueInfo,
  type QueueStats,
  type ResolvedBulkAction,
  type Schedule,
  type ScheduleInput,
  type SearchJobsQuery,
  type SearchPage,
  unavailable,
  type Worker,
} from '@qadmin/core';
import type { Queue } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { AuditStream } from './audit';
import { EventReader } from './events';
import { childRefs, type JobHash, stateOfNative, toJob } from './jobs';
import {
  eventsKey,
  parseJobKey,
  type QueueRef,
  queueKeys,
  type RedisClient,
  refOfMetaKey,
  workerClientName,
} from './keys';
import { MetricsSampler } from './metrics';
import { decodeCursor, type IdSlice, listSlice, type Start, setSlice } from './pages';
import {
  AT,
  COUNTS,
  HAS_VERSION,
  PAUSED,
  prefixHasHashTag,
  QueueScripts,
  VERSIONS,
} from './scripts';

/**
 * Options of {@link createBullmqBackend}.
 *
 * @example
 * ```ts
 * const options: BullmqBackendOptions = { connection: 'redis://127.0.0.1:6379', prefix: 'bull' };
 * ```
 */
export interface BullmqBackendOptions {
  /**
   * The Redis to read: a URL, ioredis options, or an ioredis client you own
   * (the backend then never closes it), standalone or `Cluster`. On a Redis
   * Cluster every prefix needs a hash tag (`{bull}`), as BullMQ requires, so
   * that a queue's keys share a slot.
   */
  connection: string | RedisOptions | Redis | Cluster;
  /**
   * BullMQ key prefix(es) to find queues under. Default `bull` (BullMQ's
   * default). With several prefixes, queues are named `<prefix>:<queue>`.
   */
  prefix?: string | readonly string[];
  /** Only these queues (names as the dashboard shows them); default: discovered. */
  queues?: readonly string[];
  /**
   * How often discovery scans again for new or removed queues, in the
   * background (the overview never waits for it after the first). Default
   * 30 000 ms; `0` scans on every call.
   */
  discoveryIntervalMs?: number;
  /** Backend id in the dashboard (`<id>:<queue>`). Default `bullmq`. */
  id?: string;
  /** Shown beside the queues: a host or an environment. Default: the Redis address. */
  label?: string;
  /**
   * How long one request may wait for Redis before it answers 503 (Redis
   * away or stalled). Default 1 500 ms, so the dashboard answers within 2 s.
   */
  timeoutMs?: number;
  /** Largest number of jobs one search looks at per page (capped by the request). Default 5 000. */
  searchBatch?: number;
  /**
   * qadmin's own metrics (throughput, wait and processing times per minute),
   * sampled from the queues' event streams into Redis so every dashboard
   * instance agrees: how often to sample (default 15 000 ms) and how long to
   * keep them (default 7 days). `false` turns them off.
   */
  metrics?: false | { intervalMs?: number; retentionMs?: number };
  /**
   * How many audit entries the Redis stream `<first prefix>:qadmin:audit`
   * keeps; older ones are trimmed as new ones come. Default 10 000.
   */
  auditCap?: number;
}

/** The qadmin backend over BullMQ queues: see {@link createBullmqBackend}. */
export interface BullmqBackend extends QueueBackend {
  /** The Redis client the backend reads with. */
  readonly redis: RedisClient;
  /** The key prefixes it looks under. */
  readonly prefixes: readonly string[];
  /** Looks for queues now instead of at the next discovery interval. */
  discover(): Promise<QueueInfo[]>;
  /**
   * Runs a metrics sampling round now (it also runs on its interval);
   * resolves with the number of finished jobs it recorded.
   */
  sampleMetrics(): Promise<number>;
}

const STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'delayed',
  'active',
  'paused',
  'completed',
  'failed',
] as const satisfies readonly JobState[];

// Not `complete`: BullMQ completes an active job only with the lock token of the worker that
// holds it (Job.moveToCompleted), which the dashboard does not have.
const JOB_ACTIONS_SUPPORTED = [
  'retry',
  'remove',
  'promote',
  'update-data',
  'change-delay',
  'change-priority',
  'duplicate',
] as const;

const CAPABILITIES_ALL: Capabilities = {
  states: [...STATES],
  jobActions: [...JOB_ACTIONS_SUPPORTED],
  addJob: true,
  bulkActions: [...BULK_ACTIONS],
  retryAllStates: ['failed', 'completed'],
  cleanStates: ['waiting', 'prioritized', 'delayed', 'paused', 'completed', 'failed'],
  search: ['name', 'data', 'error'],
  offsetPagination: true,
  jobNames: true,
  logs: true,
  workers: true,
  schedules: { read: true, write: true, intervals: true, multiple: true },
  metrics: true,
  events: true,
  flows: true,
  audit: true,
};

/** Which states each single-job action starts from. */
const ACTION_STATES: Record<(typeof JOB_ACTIONS_SUPPORTED)[number], readonly JobState[] | null> = {
  retry: ['failed', 'completed'],
  remove: [
    'waiting',
    'prioritized',
    'delayed',
    'paused',
    'completed',
    'failed',
    'waiting-children',
  ],
  promote: ['delayed'],
  'update-data': null,
  'change-delay': ['delayed'],
  'change-priority': ['waiting', 'prioritized', 'paused'],
  duplicate: null,
};

/** BullMQ's `clean` type of a canonical state. */
const CLEAN_TYPE: Partial<Record<JobState, string>> = {
  waiting: 'wait',
  prioritized: 'prioritized',
  delayed: 'delayed',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
};

const BATCH = 500;

/** BullMQ's script errors for a job that is not (or no longer) where the caller looked. */
const NOT_IN_STATE = /is not in the \w+ state|Missing key for job/i;

/**
 * A qadmin backend over BullMQ (5 or 6) queues in one Redis. Reads go
 * straight to BullMQ's keys: the overview of every queue costs one round trip
 * (a script running nine reads per queue, one call per 100 queues, plus one
 * `CLIENT LIST`), however many dashboards are open (core shares the
 * snapshot). Actions go through BullMQ's own `Queue` and `Job` methods, so its
 * scripts keep every rule.
 *
 * @example
 * ```ts
 * import { createAdmin } from '@qadmin/core';
 * import { createBullmqBackend } from '@qadmin/backend-bullmq';
 *
 * const bullmq = createBullmqBackend({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * const admin = createAdmin({ backends: [bullmq] });
 * ```
 */
export function createBullmqBackend(options: BullmqBackendOptions): BullmqBackend {
  const given =
    options.connection instanceof Redis || options.connection instanceof Cluster
      ? options.connection
      : undefined;
  const ownsRedis = given === undefined;
  const redis: RedisClient =
    given !== undefined
      ? given
      : typeof options.connection === 'string'
        ? new Redis(options.connection, { maxRetriesPerRequest: 1, lazyConnect: false })
        : new Redis({ maxRetriesPerRequest: 1, ...(options.connection as RedisOptions) });
  // An unreachable Redis is reported by the requests (503), not as an unhandled 'error'.
  redis.on('error', () => {});
  const prefixes =
    options.prefix === undefined
      ? ['bull']
      : typeof options.prefix === 'string'
        ? [options.prefix]
        : [...options.prefix];
  if (prefixes.length === 0 || prefixes.some((p) => p === '')) {
    throw new TypeError('prefix must be one or more non-empty strings');
  }
  const cluster = redis instanceof Cluster ? redis : null;
  if (cluster && !prefixes.every(prefixHasHashTag)) {
    throw new TypeError(
      "On a Redis Cluster every prefix needs a hash tag such as {bull}, so that a queue's keys share a slot (BullMQ requires it too)",
    );
  }
  const several = prefixes.length > 1;
  const id = options.id ?? 'bullmq';
  const discoveryMs = options.discoveryIntervalMs ?? 30_000;
  const label =
    options.label ??
    (cluster
      ? 'Redis Cluster'
      : `${(redis as Redis).options.host ?? 'redis'}:${(redis as Redis).options.port ?? 6379}`);

  const nameOf = (ref: QueueRef): string | null => {
    if (!prefixes.includes(ref.prefix)) return null;
    return several ? `${ref.prefix}:${ref.name}` : ref.name;
  };
  /**
   * The keys every refresh needs of each queue, made once per queue: its meta hash and the
   * client name its workers set. Bounded, as names also come from callers.
   */
  const perQueue = new Map<string, { meta: string; workers: string }>();
  const keysOf = (queue: string): { meta: string; workers: string } => {
    let keys = perQueue.get(queue);
    if (!keys) {
      const ref = refOf(queue);
      if (perQueue.size >= 20_000) perQueue.clear();
      keys = { meta: `${ref.prefix}:${ref.name}:meta`, workers: workerClientName(ref) };
      perQueue.set(queue, keys);
    }
    return keys;
  };
  const metaKeyOf = (queue: string): string => keysOf(queue).meta;
  const refOf = (queue: string): QueueRef => {
    if (!several) return { prefix: prefixes[0]!, name: queue };
    const colon = queue.lastIndexOf(':');
    const prefix = queue.slice(0, colon);
    if (colon <= 0 || !prefixes.includes(prefix)) throw notFound('queue', queue);
    return { prefix, name: queue.slice(colon + 1) };
  };

  // --------------------------------------------------------------- connection

  // Redis away is a 503 whatever ioredis says; core's service tells other connection errors
  // from bugs for every backend.
  const failure = (error: unknown): never => {
    if (!isQadminError(error) && redis.status !== 'ready') throw unavailable(id, error);
    throw error;
  };
  const timeoutMs = options.timeoutMs ?? 1_500;
  const audit = new AuditStream(redis, prefixes[0]!, options.auditCap ?? DEFAULT_AUDIT_CAP);
  const scripts = new QueueScripts(redis, cluster !== null);
  const searchBatch = Math.max(1, options.searchBatch ?? 5_000);
  /**
   * Runs one request's Redis work: connection failures become 503, and so
   * does a Redis that does not answer within `timeoutMs` (the commands stay
   * queued in ioredis and complete or fail later; nobody waits for them).
   */
  const guard = async <T>(
    work: (deadline: { readonly expired: boolean }) => Promise<T>,
    limitMs = timeoutMs,
  ): Promise<T> => {
    if (redis.status === 'end') throw unavailable(id, new Error('the backend is closed'));
    // Redis is away (ioredis is reconnecting): say so now instead of queueing the commands.
    if (redis.status === 'reconnecting' || redis.status === 'close') {
      throw unavailable(id, new Error(`Redis is ${redis.status}`));
    }
    let timer: NodeJS.Timeout | undefined;
    // Work that outlives its answer checks this before it changes anything, so a 503
    // means the change was not made.
    const deadline = { expired: false };
    const late = new Promise<never>((_, reject) => {
      if (!Number.isFinite(limitMs)) return;
      timer = setTimeout(() => {
        deadline.expired = true;
        reject(unavailable(id, new Error(`Redis did not answer within ${limitMs} ms`)));
      }, limitMs);
    });
    const running = work(deadline);
    // A late failure of abandoned work must not become an unhandled rejection.
    running.catch(() => {});
    try {
      return await Promise.race([running, late]);
    } catch (error) {
      return failure(error);
    } finally {
      clearTimeout(timer);
    }
  };

  // The package compiles against BullMQ 6's types and runs on 5 and 6, whose option types
  // differ in detail: the options handed to BullMQ below are cast (`as never`) at the call.
  // BullMQ itself loads on the first action or job view: the overview, lists and search read
  // Redis directly, and a dashboard that only watches saves BullMQ's memory (about 14 MB).
  let bullmq: Promise<typeof import('bullmq')> | undefined;
  const loadBullmq = () => {
    bullmq ??= import('bullmq');
    return bullmq;
  };
  /** BullMQ's `Job` class. */
  const bullJob = async () => (await loadBullmq()).Job;

  // BullMQ Queue objects for actions, one per queue, sharing the backend's connection.
  const queues = new Map<string, Queue>();
  const bullQueue = async (queue: string): Promise<Queue> => {
    let instance = queues.get(queue);
    if (!instance) {
      const ref = refOf(queue);
      const { Queue: BullQueue } = await loadBullmq();
      // Another call may have made it meanwhile.
      instance = queues.get(queue);
      if (instance) return instance;
      // skipMetasUpdate: the dashboard must not rewrite the app's queue settings (or its
      // BullMQ version) in the queue's meta hash.
      instance = new BullQueue(ref.name, {
        connection: redis as never,
        prefix: ref.prefix,
        skipMetasUpdate: true,
      });
      instance.on('error', () => {});
      queues.set(queue, instance);
    }
    return instance;
  };

  // ---------------------------------------------------------------- discovery

  let known: { at: number; queues: QueueInfo[] } | undefined;
  let scanning: Promise<QueueInfo[]> | undefined;

  async function scan(): Promise<QueueInfo[]> {
    if (options.queues) {
      return options.queues.map((name) => ({ name, meta: { prefix: refOf(name).prefix } }));
    }
    const found = new Map<string, QueueInfo>();
    // On a cluster every master holds part of the keys: scan each.
    const servers: (Redis | RedisClient)[] = cluster ? cluster.nodes('master') : [redis];
    for (const prefix of prefixes)
      for (const server of servers) {
        let cursor = '0';
        do {
          const [next, keys] = await server.scan(
            cursor,
            'MATCH',
            `${prefix}:*:meta`,
            'COUNT',
            1000,
          );
          cursor = next;
          for (const key of keys) {
            const ref = refOfMetaKey(key);
            if (!ref || ref.prefix !== prefix) continue;
            const name = nameOf(ref);
            if (name !== null) found.set(name, { name, meta: { prefix } });
          }
        } while (cursor !== '0');
      }
    // A BullMQ queue's meta hash names the BullMQ that wrote it; other `:meta` keys are not queues.
    const candidates = [...found.values()];
    const versions = await scripts.run(
      VERSIONS,
      candidates.map((info) => metaKeyOf(info.name)),
    );
    const queues: QueueInfo[] = [];
    candidates.forEach((info, i) => {
      const version = versions[i];
      if (typeof version === 'string' && version.startsWith('bullmq:')) {
        queues.push({ name: info.name, meta: { ...info.meta, version } });
      }
    });
    return queues.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async function discover(): Promise<QueueInfo[]> {
    // No time limit: a scan takes as long as the keyspace is big (Redis being away still fails at once).
    scanning ??= guard(scan, Number.POSITIVE_INFINITY).finally(() => {
      scanning = undefined;
    });
    const queuesFound = await scanning;
    known = { at: Date.now(), queues: queuesFound };
    return queuesFound;
  }

  // ------------------------------------------------------------------ workers

  async function clientList(): Promise<Map<string, Worker[]>> {
    const byQueueClient = new Map<string, Worker[]>();
    let text: string;
    try {
      // On a cluster, workers connect to the master holding their queue's slot: ask each.
      const servers: RedisClient[] = cluster ? cluster.nodes('master') : [redis];
      const lists = await Promise.all(
        servers.map(async (server) => (await server.client('LIST')) as string),
      );
      text = lists.join('\n');
    } catch (error) {
      // Some managed Redis refuse CLIENT LIST: workers are then unknown, not an error.
      if (/unknown command|NOPERM|not allowed/i.test(String(error))) return byQueueClient;
      throw error;
    }
    const now = Date.now();
    for (const line of text.split('\n')) {
      const fields = new Map<string, string>();
      for (const part of line.trim().split(' ')) {
        const eq = part.indexOf('=');
        if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
      }
      const name = fields.get('name');
      if (!name) continue;
      const marker = name.indexOf(':w:');
      const client = marker === -1 ? name : name.slice(0, marker);
      const workerName = marker === -1 ? null : name.slice(marker + 3);
      const age = Number(fields.get('age') ?? NaN);
      const idle = Number(fields.get('idle') ?? NaN);
      const list = byQueueClient.get(client) ?? [];
      list.push({
        id: fields.get('id') ?? name,
        name: workerName,
        queues: [],
        address: fields.get('addr') ?? null,
        startedAt: Number.isFinite(age) ? now - age * 1000 : null,
        lastSeenAt: Number.isFinite(idle) ? now - idle * 1000 : null,
        idleMs: Number.isFinite(idle) ? idle * 1000 : null,
        concurrency: null,
        activeJobs: null,
      });
      byQueueClient.set(client, list);
    }
    return byQueueClient;
  }

  // ------------------------------------------------------------------- reads

  /** Whether the `i`th queue of a {@link COUNTS} answer exists: BullMQ wrote its meta hash or a job. */
  function existsAt(counted: readonly number[], i: number): boolean {
    if ((counted[i * COUNTS.width + AT.flags]! & HAS_VERSION) !== 0) return true;
    for (let f = AT.wait; f < COUNTS.width; f++)
      if (counted[i * COUNTS.width + f]! > 0) return true;
    return false;
  }

  /** The counts and paused flag of the `i`th queue of a {@link COUNTS} answer. */
  function statsAt(counted: readonly number[], i: number, workers: number | null): QueueStats {
    const at = i * COUNTS.width;
    const paused = (counted[at + AT.flags]! & PAUSED) !== 0;
    // BullMQ 5 moves a paused queue's jobs to `paused`; 6 keeps them in `wait`.
    const queued = counted[at + AT.wait]! + counted[at + AT.paused]!;
    return {
      counts: {
        waiting: paused ? 0 : queued,
        paused: paused ? queued : 0,
        prioritized: counted[at + AT.prioritized]!,
        'waiting-children': counted[at + AT.waitingChildren]!,
        delayed: counted[at + AT.delayed]!,
        active: counted[at + AT.active]!,
        completed: counted[at + AT.completed]!,
        failed: counted[at + AT.failed]!,
      },
      paused,
      workers,
    };
  }

  /** Counts of every state and the paused flag of one queue. */
  async function readStats(queue: string): Promise<QueueStats & { exists: boolean }> {
    const counted = (await scripts.run(COUNTS, [metaKeyOf(queue)])) as number[];
    return { ...statsAt(counted, 0, null), exists: existsAt(counted, 0) };
  }

  async function queuePaused(queue: string): Promise<boolean> {
    return (await redis.hget(queueKeys(refOf(queue)).meta, 'paused')) === '1';
  }

  /** Full jobs for ids in one state, read in one pipeline (hash + children of each). */
  async function readJobs(
    queue: string,
    ids: readonly string[],
    state: (id: string) => { state: JobState; native: string },
  ): Promise<Job[]> {
    if (ids.length === 0) return [];
    const ref = refOf(queue);
    const keys = queueKeys(ref);
    const pipeline = redis.pipeline();
    for (const jobId of ids) {
      pipeline
        .hgetall(keys.job(jobId))
        .smembers(keys.dependencies(jobId))
        .hkeys(keys.processed(jobId))
        .hkeys(keys.failedChildren(jobId));
    }
    const results = (await pipeline.exec()) ?? [];
    const jobs: Job[] = [];
    ids.forEach((jobId, i) => {
      const [hash, pending, processed, failed] = results
        .slice(i * 4, i * 4 + 4)
        .map(([error, value]) => {
          if (error) throw error;
          return value;
        }) as [JobHash, string[], string[], string[]];
      if (!hash || Object.keys(hash).length === 0) return;
      const { state: canonical, native } = state(jobId);
      jobs.push(
        toJob(
          jobId,
          hash,
          canonical,
          native,
          parseParent,
          childRefs(ref, nameOf, pending, processed, failed),
        ),
      );
    });
    return jobs;
  }

  /** A parent reference (`<prefix>:<queue>:<id>`) as the dashboard names it, or `null` outside its prefixes. */
  function parseParent(key: string): JobRef | null {
    const parsed = parseJobKey(key);
    const name = parsed && nameOf(parsed);
    return parsed && name ? { queue: name, id: parsed.id } : null;
  }

  /** The key and kind that hold a state's jobs now, and how many there are. */
  async function source(
    queue: string,
    state: JobState,
  ): Promise<{ key: string; kind: 'list' | 'set'; length: number } | null> {
    const keys = queueKeys(refOf(queue));
    switch (state) {
      case 'waiting':
      case 'paused': {
        const [[, paused], [, wait], [, pausedList]] = (await redis
          .pipeline()
          .hget(keys.meta, 'paused')
          .llen(keys.wait)
          .llen(keys.paused)
          .exec()) as [[unknown, string | null], [unknown, number], [unknown, number]];
        const isPaused = paused === '1';
        if ((state === 'paused') !== isPaused) return null;
        // BullMQ 5 moves waiting jobs to `paused` while paused; 6 keeps them in `wait`.
        return pausedList > 0
          ? { key: keys.paused, kind: 'list', length: pausedList }
          : { key: keys.wait, kind: 'list', length: wait };
      }
      case 'active':
        return { key: keys.active, kind: 'list', length: await redis.llen(keys.active) };
      case 'prioritized':
      case 'delayed':
      case 'completed':
      case 'failed':
      case 'waiting-children': {
        const key = state === 'waiting-children' ? keys.waitingChildren : keys[state as 'delayed'];
        return { key, kind: 'set', length: await redis.zcard(key) };
      }
      default:
        return null;
    }
  }

  async function slice(
    found: { key: string; kind: 'list' | 'set'; length: number },
    order: ListJobsQuery['order'],
    limit: number,
    start: Start,
  ): Promise<IdSlice> {
    return found.kind === 'list'
      ? listSlice(redis, found.key, found.length, order, limit, start)
      : setSlice(redis, found.key, order, limit, start);
  }

  async function listJobs(queue: string, query: ListJobsQuery): Promise<JobPage> {
    return guard(async () => {
      const found = await source(queue, query.state);
      if (!found) {
        // A bad cursor is still a bad cursor when the state is empty.
        if (query.cursor !== undefined) decodeCursor(query.cursor);
        return { jobs: [], nextCursor: null, total: 0 };
      }
      const native = found.key.slice(found.key.lastIndexOf(':') + 1);
      const stateOf = () => ({ state: query.state, native });
      if (query.name === undefined) {
        const { ids, next } = await slice(found, query.order, query.limit, query);
        const jobs = await readJobs(queue, ids, stateOf);
        return { jobs, nextCursor: next, total: found.length };
      }
      // By name: BullMQ keeps no index of names, so look at ids in batches until the page
      // fills and one more match shows that another page follows.
      const keys = queueKeys(refOf(queue));
      const matched: { id: string; start: Start; index: number }[] = [];
      let start: Start = query;
      for (;;) {
        const batch = await slice(found, query.order, BATCH, start);
        const pipeline = redis.pipeline();
        for (const jobId of batch.ids) pipeline.hget(keys.job(jobId), 'name');
        const names = ((await pipeline.exec()) ?? []).map(([, value]) => value);
        for (let i = 0; i < batch.ids.length && matched.length <= query.limit; i++) {
          if (names[i] === query.name) matched.push({ id: batch.ids[i]!, start, index: i });
        }
        if (matched.length > query.limit || batch.next === null) break;
        start = { cursor: batch.next };
      }
      let next: string | null = null;
      if (matched.length > query.limit) {
        // The cursor right after the page's last match.
        const last = matched[query.limit - 1]!;
        next = (await slice(found, query.order, last.index + 1, last.start)).next;
      }
      const ids = matched.slice(0, query.limit).map((match) => match.id);
      return { jobs: await readJobs(queue, ids, stateOf), nextCursor: next, total: null };
    });
  }

  /**
   * Search in a state's jobs, looking at most `scanLimit` jobs per call from
   * the cursor on (BullMQ has no index of names, data or errors): the page
   * says how many it looked at, and its cursor continues the scan.
   */
  async function searchJobs(queue: string, query: SearchJobsQuery): Promise<SearchPage> {
    return guard(async () => {
      if (query.cursor !== undefined) decodeCursor(query.cursor);
      const found = await source(queue, query.state);
      if (!found) return { jobs: [], nextCursor: null, total: null, scanned: 0, exhausted: true };
      const keys = queueKeys(refOf(queue));
      const needle = query.text.toLowerCase();
      const fields = new Set(query.fields);
      const native = found.key.slice(found.key.lastIndexOf(':') + 1);
      const hits: string[] = [];
      let scanned = 0;
      let start: Start = query.cursor === undefined ? {} : { cursor: query.cursor };
      let next: string | null = null;
      let exhausted = false;
      while (hits.length < query.limit && scanned < query.scanLimit) {
        const size = Math.min(searchBatch, query.scanLimit - scanned);
        const batch = await slice(found, query.order, size, start);
        const pipeline = redis.pipeline();
        for (const jobId of batch.ids) {
          pipeline.hmget(keys.job(jobId), 'name', 'data', 'failedReason', 'stacktrace');
        }
        const rows = ((await pipeline.exec()) ?? []).map(([, value]) => value as (string | null)[]);
        let stoppedAt = -1;
        for (let i = 0; i < batch.ids.length; i++) {
          const [name, data, reason, stack] = rows[i] ?? [];
          const match =
            (fields.has('name') && (name ?? '').toLowerCase().includes(needle)) ||
            (fields.has('data') && (data ?? '').toLowerCase().includes(needle)) ||
            (fields.has('error') &&
              ((reason ?? '').toLowerCase().includes(needle) ||
                (stack ?? '').toLowerCase().includes(needle)));
          if (match) hits.push(batch.ids[i]!);
          if (hits.length === query.limit) {
            stoppedAt = i;
            break;
          }
        }
        if (stoppedAt !== -1 && stoppedAt < batch.ids.length - 1) {
          scanned += stoppedAt + 1;
          next = (await slice(found, query.order, stoppedAt + 1, start)).next;
          break;
        }
        scanned += batch.ids.length;
        next = batch.next;
        if (batch.next === null) {
          exhausted = true;
          break;
        }
        start = { cursor: batch.next };
      }
      const jobs = await readJobs(queue, hits, () => ({ state: query.state, native }));
      return { jobs, nextCursor: exhausted ? null : next, total: null, scanned, exhausted };
    });
  }

  async function stateOfJob(
    queue: string,
    jobId: string,
  ): Promise<{ state: JobState; native: string } | null> {
    // The state as a string: BullMQ 5 and 6 type it differently.
    const native: string = await (await bullQueue(queue)).getJobState(jobId);
    if (native === 'unknown') return null;
    const paused = native === 'waiting' || native === 'wait' ? await queuePaused(queue) : false;
    const state = stateOfNative(native, paused);
    if (!state) return null;
    if (state === 'paused') {
      // The list it is in, as listJobs names it: BullMQ 5 moves paused jobs, 6 does not.
      const inPausedList = (await redis.llen(queueKeys(refOf(queue)).paused)) > 0;
      return { state, native: inPausedList ? 'paused' : 'wait' };
    }
    return { state, native: native === 'waiting' ? 'wait' : native };
  }

  async function getJob(queue: string, jobId: string): Promise<Job | null> {
    return guard(async () => {
      refOf(queue);
      if (!(await redis.exists(queueKeys(refOf(queue)).job(jobId)))) return null;
      const state = await stateOfJob(queue, jobId);
      if (!state) return null;
      const [job] = await readJobs(queue, [jobId], () => state);
      return job ?? null;
    });
  }

  async function requireJob(queue: string, jobId: string): Promise<Job> {
    const job = await getJob(queue, jobId);
    if (!job) throw notFound('job', jobId);
    return job;
  }

  // ----------------------------------------------------------------- actions

  /** BullMQ's script errors for a job in the wrong state, as a 409. */
  const asConflict = (error: unknown): never => {
    if (isQadminError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (
      /not in|is locked|Missing key|cannot|could not|is not|Job .* (state|belongs)/i.test(message)
    ) {
      throw conflict(message);
    }
    return failure(error);
  };

  async function jobAction(queue: string, jobId: string, action: JobAction): Promise<Job | null> {
    return guard(async (deadline) => {
      const before = await requireJob(queue, jobId);
      const type = action.type as (typeof JOB_ACTIONS_SUPPORTED)[number];
      const allowed = ACTION_STATES[type];
      if (allowed === undefined) throw invalidInput('body.type', `${action.type} is not supported`);
      if (allowed && !allowed.includes(before.state)) {
        throw conflict(`cannot ${action.type} a job that is ${before.state}`);
      }
      const instance = await bullQueue(queue);
      const job = await (await bullJob()).fromId(instance, jobId);
      if (!job) throw notFound('job', jobId);
      if (deadline.expired) throw unavailable(id, new Error('the request timed out'));
      try {
        switch (action.type) {
          case 'retry':
            await job.retry(before.state as 'failed' | 'completed');
            break;
          case 'remove':
            await job.remove();
            return null;
          case 'promote':
            await job.promote();
            break;
          case 'update-data':
            await job.updateData(action.data);
            break;
          case 'change-delay':
            await job.changeDelay(action.delayMs);
            break;
          case 'change-priority':
            await job.changePriority({ priority: action.priority });
            break;
          case 'duplicate': {
            const { jobId: _id, repeat: _repeat, ...opts } = job.opts as Record<string, unknown>;
            const copy = await instance.add(job.name, job.data, opts as never);
            return requireJob(queue, copy.id!);
          }
        }
      } catch (error) {
        asConflict(error);
      }
      return requireJob(queue, jobId);
    });
  }

  async function addJob(queue: string, input: AddJobInput): Promise<Job> {
    return guard(async (deadline) => {
      // The service asks for a name (BullMQ jobs have one); a direct caller may not.
      const name = input.name;
      if (name === undefined) throw invalidInput('body.name', 'is required');
      const opts: Record<string, unknown> = { ...input.options };
      if (input.delayMs !== undefined) opts.delay = input.delayMs;
      if (input.priority !== undefined) opts.priority = input.priority;
      if (input.attempts !== undefined) opts.attempts = input.attempts;
      if (input.jobId !== undefined) {
        if (input.jobId.includes(':')) throw invalidInput('body.jobId', 'must not contain ":"');
        if (/^\d+$/.test(input.jobId)) {
          throw invalidInput('body.jobId', 'must not be an integer (BullMQ reserves those)');
        }
        if (await redis.exists(queueKeys(refOf(queue)).job(input.jobId))) {
          throw conflict(`a job with id ${input.jobId} exists`);
        }
        opts.jobId = input.jobId;
      }
      if (deadline.expired) throw unavailable(id, new Error('the request timed out'));
      const job = await (await bullQueue(queue)).add(name, input.data ?? null, opts as never);
      events.watch(queue, queueKeys(refOf(queue)).events, refOf(queue).prefix);
      return requireJob(queue, job.id!);
    });
  }

  /** Removes the parents waiting for their children (with those children, as BullMQ does). */
  async function removeWaitingChildren(queue: string): Promise<void> {
    const key = queueKeys(refOf(queue)).waitingChildren;
    const instance = await bullQueue(queue);
    for (;;) {
      const ids = await redis.zrange(key, 0, BATCH - 1);
      if (ids.length === 0) return;
      await Promise.all(
        ids.map(async (jobId) => {
          const job = await (await bullJob()).fromId(instance, jobId);
          if (job) await job.remove();
          else await redis.zrem(key, jobId);
        }),
      );
    }
  }

  async function bulkAction(queue: string, action: ResolvedBulkAction): Promise<BulkResult> {
    // Bulk work is as long as the queue is: no per-request limit (core's backend timeout applies).
    return guard(async () => {
      const instance = await bullQueue(queue);
      const keys = queueKeys(refOf(queue));
      switch (action.type) {
        case 'retry-all': {
          const state = action.state as 'failed' | 'completed';
          // Job by job through BullMQ's own retry: a job another caller already moved is
          // refused by the script (and counted by that caller), so two concurrent calls
          // retry each job once and the counts add up. Only jobs that finished before the
          // call started: retried jobs that fail again while it runs wait for the next one.
          const startedAt = Date.now();
          let affected = 0;
          let refused: string | undefined;
          for (;;) {
            const ids = await redis.zrangebyscore(
              keys[state],
              '-inf',
              startedAt,
              'LIMIT',
              0,
              BATCH,
            );
            if (ids.length === 0) break;
            const results = await Promise.allSettled(
              ids.map(async (jobId) => {
                const job = await (await bullJob()).fromId(instance, jobId);
                if (!job) return false;
                try {
                  await job.retry(state);
                  return true;
                } catch (error) {
                  if (NOT_IN_STATE.test(String(error))) return false;
                  throw error;
                }
              }),
            );
            const rejected = results.find((r) => r.status === 'rejected');
            if (rejected) throw (rejected as PromiseRejectedResult).reason;
            const done = results.filter((r) => r.status === 'fulfilled' && r.value).length;
            affected += done;
            if (done === 0) {
              // Others took this batch: read again, unless the very same ids are still there.
              const batch = ids.join('\n');
              if (batch === refused) break;
              refused = batch;
            }
          }
          return { affected };
        }
        case 'promote-all': {
          const before = await redis.zcard(keys.delayed);
          await instance.promoteJobs();
          return { affected: Math.max(0, before - (await redis.zcard(keys.delayed))) };
        }
        case 'clean': {
          let type = CLEAN_TYPE[action.state];
          if (!type) throw invalidInput('body.state', `cannot clean ${action.state} jobs`);
          // BullMQ 6 keeps a paused queue's jobs in `wait`; 5 moves them to `paused`.
          if (type === 'paused' && (await redis.llen(keys.paused)) === 0) type = 'wait';
          const removed = await instance.clean(action.olderThanMs, action.limit, type as never);
          return { affected: removed.length };
        }
        case 'empty': {
          // Every job that is not running: waiting, paused, prioritized and delayed ones
          // (BullMQ's drain), then the finished ones.
          const countOf = async () => {
            const { counts } = await readStats(queue);
            return Object.entries(counts).reduce(
              (sum, [state, n]) => (state === 'active' ? sum : sum + n),
              0,
            );
          };
          const before = await countOf();
          await removeWaitingChildren(queue);
          await instance.drain(true);
          for (const type of ['completed', 'failed'] as const) {
            while ((await instance.clean(0, 10_000, type)).length > 0) {}
          }
          return { affected: Math.max(0, before - (await countOf())) };
        }
        case 'pause':
          await instance.pause();
          return { affected: 0 };
        case 'resume':
          await instance.resume();
          return { affected: 0 };
        case 'obliterate': {
          const stats = await readStats(queue);
          const total = Object.values(stats.counts).reduce((a, b) => a + b, 0);
          // BullMQ's obliterate leaves parents that wait for children in other queues.
          await removeWaitingChildren(queue);
          await instance.obliterate({ force: true });
          queues.delete(queue);
          await instance.close().catch(() => {});
          if (known) known.queues = known.queues.filter((q) => q.name !== queue);
          return { affected: total };
        }
      }
    }, Number.POSITIVE_INFINITY);
  }

  // --------------------------------------------------------------- schedules

  function toSchedule(queue: string, raw: Record<string, unknown>): Schedule {
    const template = (raw.template ?? {}) as { data?: unknown; opts?: Record<string, unknown> };
    const every = Number(raw.every);
    return {
      id: String(raw.key ?? raw.id ?? ''),
      queue,
      jobName: String(raw.name ?? ''),
      pattern: typeof raw.pattern === 'string' && raw.pattern !== '' ? raw.pattern : null,
      everyMs: Number.isFinite(every) && every > 0 ? every : null,
      timezone: typeof raw.tz === 'string' && raw.tz !== '' ? raw.tz : null,
      nextRunAt: typeof raw.next === 'number' ? raw.next : raw.next ? Number(raw.next) : null,
      lastRunAt: null,
      data: template.data ?? null,
      options: template.opts ?? {},
    };
  }

  async function listSchedules(queue: string): Promise<Schedule[]> {
    return guard(async () => {
      const schedulers = (await (
        await bullQueue(queue)
      ).getJobSchedulers(0, -1, true)) as unknown as Record<string, unknown>[];
      return schedulers.map((raw) => toSchedule(queue, raw));
    });
  }

  async function upsertSchedule(queue: string, input: ScheduleInput): Promise<Schedule> {
    return guard(async () => {
      const instance = await bullQueue(queue);
      const repeat: Record<string, unknown> = {};
      if (input.pattern !== undefined) repeat.pattern = input.pattern;
      if (input.everyMs !== undefined) repeat.every = input.everyMs;
      if (input.timezone !== undefined) repeat.tz = input.timezone;
      try {
        await instance.upsertJobScheduler(input.id, repeat as never, {
          name: input.jobName,
          data: input.data ?? null,
          opts: (input.options ?? {}) as never,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/pattern|cron|invalid/i.test(message)) throw invalidInput('body.pattern', message);
        throw error;
      }
      const found = (await listSchedules(queue)).find((s) => s.id === input.id);
      if (!found) throw conflict(`schedule ${input.id} was not stored`);
      return found;
    });
  }

  async function removeSchedule(queue: string, scheduleId: string): Promise<void> {
    return guard(async () => {
      const removed = await (await bullQueue(queue)).removeJobScheduler(scheduleId);
      if (!removed) throw notFound('schedule', scheduleId);
    });
  }

  // ----------------------------------------------------------------- metrics

  const metricsOptions = options.metrics === false ? null : (options.metrics ?? {});
  const sampler = metricsOptions
    ? new MetricsSampler(redis, scripts, metricsOptions.retentionMs ?? 7 * 24 * 3_600_000)
    : null;
  let sampling: Promise<number> | undefined;
  const sampleMetrics = async (): Promise<number> => {
    if (!sampler) return 0;
    sampling ??= (async () => {
      const listed = known?.queues ?? (await discover());
      return sampler.sample(listed.map((queue) => refOf(queue.name)));
    })().finally(() => {
      sampling = undefined;
    });
    return sampling;
  };
  const sampleTimer = sampler
    ? setInterval(() => {
        if (redis.status === 'ready') sampleMetrics().catch(() => {});
      }, metricsOptions?.intervalMs ?? 15_000)
    : undefined;
  sampleTimer?.unref();
  if (sampler && redis.status !== 'end') {
    // The first round marks where counting starts.
    setTimeout(() => sampleMetrics().catch(() => {}), 100).unref();
  }

  // ------------------------------------------------------------------ events

  const events = new EventReader(
    redis,
    async () =>
      (await discover()).map((queue) => {
        const ref = refOf(queue.name);
        return { queue: queue.name, key: eventsKey(ref), group: ref.prefix };
      }),
    Math.max(1_000, discoveryMs),
  );

  // -------------------------------------------------------------- the backend

  return defineBackend<BullmqBackend>({
    id,
    kind: 'bullmq',
    label,
    capabilities: sampler ? CAPABILITIES_ALL : { ...CAPABILITIES_ALL, metrics: false },
    redis,
    prefixes,
    discover,
    sampleMetrics,

    async listQueues() {
      if (!known || discoveryMs === 0) return discover();
      // A scan walks the whole keyspace (about 0.8 s over a million keys): the overview
      // answers with the queues it knows and picks up the new scan's result next time.
      if (Date.now() - known.at >= discoveryMs) void discover().catch(() => {});
      return known.queues;
    },

    async getStats(names) {
      return guard(async () => {
        if (names.length === 0) return {};
        const [counted, clients] = await Promise.all([
          scripts.run(COUNTS, names.map(metaKeyOf)) as Promise<number[]>,
          clientList(),
        ]);
        const out: Record<string, QueueStats> = {};
        for (let i = 0; i < names.length; i++) {
          if (!existsAt(counted, i)) continue;
          const name = names[i]!;
          out[name] = statsAt(counted, i, clients.get(keysOf(name).workers)?.length ?? 0);
        }
        return out;
      });
    },

    listJobs,
    searchJobs,
    getJob,

    async getJobLogs(queue, jobId, page): Promise<JobLogPage> {
      return guard(async () => {
        await requireJob(queue, jobId);
        const { logs, count } = await (await bullQueue(queue)).getJobLogs(
          jobId,
          page.offset,
          page.offset + page.limit - 1,
          true,
        );
        return { lines: logs.map((message) => ({ timestamp: null, message })), total: count };
      });
    },

    jobAction,
    addJob,
    bulkAction,

    async getWorkers(names) {
      return guard(async () => {
        const list = names ?? (await this.listQueues()).map((q) => q.name);
        const clients = await clientList();
        const workers: Worker[] = [];
        for (const name of list) {
          for (const worker of clients.get(keysOf(name).workers) ?? []) {
            workers.push({ ...worker, queues: [name] });
          }
        }
        return workers;
      });
    },

    listSchedules,
    upsertSchedule,
    removeSchedule,

    async appendAudit(entry) {
      return guard(() => audit.append(entry));
    },

    async listAudit(query) {
      return guard(() => audit.list(query));
    },

    async getMetrics(queue, query) {
      if (!sampler) throw invalidInput('metrics', 'are turned off for this backend');
      return guard(() => sampler.series(refOf(queue), query));
    },

    subscribe(listener: (event: BackendEvent) => void) {
      return events.subscribe(listener);
    },

    async close() {
      clearInterval(sampleTimer);
      await sampling?.catch(() => {});
      events.close();
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      queues.clear();
      if (ownsRedis) await redis.quit().catch(() => redis.disconnect());
    },
  });
}
