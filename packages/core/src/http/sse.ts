/**
 * The Server-Sent Events stream of one client.
 */
import type { DashboardEvent, Overview } from '../api';
import type { AdminService } from '../service';

/** Options of {@link SseStream}. */
export interface SseStreamOptions {
  /** The overview sent first. */
  initial: Overview;
  /** Milliseconds between `: heartbeat` comments while idle. */
  heartbeatMs: number;
  /** Events a client may fall behind by before the oldest job/progress events are dropped. */
  maxBuffered: number;
  /** `retry:` sent first: how long a browser waits before it reconnects. */
  retryMs?: number;
  /** Ends the stream when aborted (the client left). */
  signal?: AbortSignal;
  /** Called once when the stream ends, whichever way. */
  onEnd?: () => void;
  /** What this client may see of an event (`null`: nothing), for principals who see some queues only. */
  filter?: (event: DashboardEvent) => DashboardEvent | null;
}

interface Pending {
  type: DashboardEvent['type'] | 'comment';
  text: string;
}

/** Job and progress events are superseded by the next overview; others are rare and kept longer. */
const DROPPABLE = new Set<Pending['type']>(['job', 'progress', 'comment']);

/**
 * The service hands the same event object to every stream, so its JSON is
 * made once however many clients listen (an overview of 1,000 queues is
 * 225 KB). Overview events are keyed by their snapshot, which the first
 * event of each new stream shares too.
 */
const eventJsonCache = new WeakMap<object, string>();

function eventJson(event: DashboardEvent): string {
  const key = event.type === 'overview' ? event.overview : event;
  let json = eventJsonCache.get(key);
  if (json === undefined) {
    json = JSON.stringify(event);
    eventJsonCache.set(key, json);
  }
  return json;
}

/**
 * One client's event stream as an async iterator of SSE text chunks. It
 * subscribes to the service when first read, keeps a bounded buffer (a slow
 * client loses its oldest job and progress events; the service never waits),
 * and unsubscribes as soon as the signal aborts or `return()` is called, even
 * while a read is pending.
 *
 * @example
 * ```ts
 * const stream = new SseStream(service, { initial: await service.overview(), heartbeatMs: 15_000, maxBuffered: 500 });
 * for await (const chunk of stream) res.write(chunk);
 * ```
 */
export class SseStream implements AsyncIterableIterator<string> {
  readonly #service: AdminService;
  readonly #options: SseStreamOptions;
  readonly #buffer: Pending[] = [];
  #nextId = 1;
  #started = false;
  #done = false;
  #waiting: ((result: IteratorResult<string>) => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastOverview: Overview | undefined;
  #dropped = 0;

  constructor(service: AdminService, options: SseStreamOptions) {
    this.#service = service;
    this.#options = options;
    if (options.signal?.aborted) this.#finish();
    else options.signal?.addEventListener('abort', () => this.#finish(), { once: true });
  }

  /** Events dropped so far because the client fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True once the stream ended and unsubscribed. */
  get done(): boolean {
    return this.#done;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    if (!this.#started) return Promise.resolve({ done: false, value: this.#start() });
    const pending = this.#buffer.shift();
    if (pending) return Promise.resolve({ done: false, value: pending.text });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<string>> {
    this.#finish();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Sends `event` to the client, or buffers it while the client is busy. */
  push(event: DashboardEvent): void {
    if (this.#done) return;
    // The service's first poll re-sends the snapshot this stream opened with.
    if (event.type === 'overview') {
      if (event.overview === this.#lastOverview) return;
      this.#lastOverview = event.overview;
    }
    const shown = this.#options.filter ? this.#options.filter(event) : event;
    if (!shown) return;
    const text = `id: ${this.#nextId++}\nevent: ${shown.type}\ndata: ${eventJson(shown)}\n\n`;
    this.#deliver({ type: shown.type, text });
  }

  #start(): string {
    this.#started = true;
    const { initial, retryMs = 3000, heartbeatMs } = this.#options;
    this.#lastOverview = initial;
    this.#unsubscribe = this.#service.subscribe((event) => this.push(event));
    this.#heartbeat = setInterval(() => {
      if (this.#buffer.length === 0) this.#deliver({ type: 'comment', text: ': heartbeat\n\n' });
    }, heartbeatMs);
    this.#heartbeat.unref?.();
    const opening: DashboardEvent = { type: 'overview', overview: initial };
    const first = this.#options.filter?.(opening) ?? opening;
    return `retry: ${retryMs}\n\nid: ${this.#nextId++}\nevent: overview\ndata: ${eventJson(first)}\n\n`;
  }

  #deliver(pending: Pending): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ done: false, value: pending.text });
      return;
    }
    this.#buffer.push(pending);
    if (this.#buffer.length > this.#options.maxBuffered) this.#shed();
  }

  /** Drops the oldest job/progress event, or failing that the oldest of any kind. */
  #shed(): void {
    const index = this.#buffer.findIndex((p) => DROPPABLE.has(p.type));
    this.#buffer.splice(index === -1 ? 0 : index, 1);
    this.#dropped++;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#buffer.length = 0;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ done: true, value: undefined });
    this.#options.onEnd?.();
  }
}
