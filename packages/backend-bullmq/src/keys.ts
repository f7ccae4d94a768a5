/**
 * Where BullMQ keeps a queue in Redis, and how a dashboard queue name maps to
 * a prefix and a BullMQ queue name. BullMQ forbids `:` in queue names, so with
 * several prefixes the dashboard name `<prefix>:<queue>` splits at its last `:`.
 */

/** A BullMQ queue: its Redis key prefix and its own name. */
export interface QueueRef {
  prefix: string;
  name: string;
}

/** The Redis keys of one BullMQ queue. */
export function queueKeys({ prefix, name }: QueueRef) {
  const base = `${prefix}:${name}:`;
  return {
    base,
    meta: `${base}meta`,
    wait: `${base}wait`,
    paused: `${base}paused`,
    active: `${base}active`,
    prioritized: `${base}prioritized`,
    delayed: `${base}delayed`,
    completed: `${base}completed`,
    failed: `${base}failed`,
    waitingChildren: `${base}waiting-children`,
    events: `${base}events`,
    job: (id: string) => `${base}${id}`,
    dependencies: (id: string) => `${base}${id}:dependencies`,
    processed: (id: string) => `${base}${id}:processed`,
    failedChildren: (id: string) => `${base}${id}:failed`,
  };
}

/** A queue's event stream, without the other keys {@link queueKeys} builds (read for every queue). */
export function eventsKey({ prefix, name }: QueueRef): string {
  return `${prefix}:${name}:events`;
}

/** The queue a `<prefix>:<queue>:meta` key belongs to, or `null` for another key. */
export function refOfMetaKey(key: string): QueueRef | null {
  if (!key.endsWith(':meta')) return null;
  const rest = key.slice(0, -':meta'.length);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return null;
  return { prefix: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/**
 * The client name a BullMQ worker sets on its connection
 * (`<prefix>:<base64(queue)>`, with `:w:<worker name>` when named), read back
 * from `CLIENT LIST`.
 */
export function workerClientName({ prefix, name }: QueueRef): string {
  return `${prefix}:${Buffer.from(name).toString('base64')}`;
}

/** A parent or child reference (`<prefix>:<queue>:<id>`) split into its parts. */
export function parseJobKey(key: string): (QueueRef & { id: string }) | null {
  const last = key.lastIndexOf(':');
  const previous = last > 0 ? key.lastIndexOf(':', last - 1) : -1;
  if (previous <= 0) return null;
  return {
    prefix: key.slice(0, previous),
    name: key.slice(previous + 1, last),
    id: key.slice(last + 1),
  };
}

/** A standalone Redis client or a Redis Cluster client: the backend reads through either. */
export type RedisClient = import('ioredis').Redis | import('ioredis').Cluster;
