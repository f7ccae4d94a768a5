import type { DashboardEvent, Overview } from '@qadmin/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { QadminApi } from './context';

/** How the live feed currently gets its updates. */
export type LiveStatus = 'connecting' | 'live' | 'polling' | 'offline';

/** What a {@link LiveFeed} tells its listeners. */
export type LiveMessage =
  | { kind: 'event'; event: DashboardEvent }
  | { kind: 'status'; status: LiveStatus; error?: string };

const POLL_MS = 5_000;

/**
 * One live connection per API, shared by every element on the page: the SSE
 * stream while it holds, polling of the overview while it is cut (so views
 * stay fresh through a proxy that drops streams), and back to the stream as
 * soon as it reconnects. Starts with the first listener, stops with the last.
 */
export class LiveFeed {
  static #feeds = new WeakMap<QadminApi, LiveFeed>();

  /** The feed of `api`, created on first use. */
  static for(api: QadminApi): LiveFeed {
    let feed = LiveFeed.#feeds.get(api);
    if (!feed) {
      feed = new LiveFeed(api);
      LiveFeed.#feeds.set(api, feed);
    }
    return feed;
  }

  readonly #api: QadminApi;
  readonly #listeners = new Set<(message: LiveMessage) => void>();
  #controller: AbortController | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** The latest overview seen (from the stream or a poll). */
  overview: Overview | undefined;
  status: LiveStatus = 'connecting';
  error: string | undefined;

  private constructor(api: QadminApi) {
    this.#api = api;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(listener: (message: LiveMessage) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  #emit(message: LiveMessage): void {
    for (const listener of [...this.#listeners]) listener(message);
  }

  #setStatus(status: LiveStatus, error?: string): void {
    if (status === this.status && error === this.error) return;
    this.status = status;
    this.error = error;
    this.#emit({ kind: 'status', status, ...(error ? { error } : {}) });
  }

  #start(): void {
    const controller = new AbortController();
    this.#controller = controller;
    void this.#api
      .events(
        (event) => {
          if (event.type === 'overview') this.overview = event.overview;
          this.#emit({ kind: 'event', event });
        },
        {
          signal: controller.signal,
          onOpen: () => {
            this.#stopPolling();
            this.#setStatus('live');
          },
          onError: (error) => {
            if (controller.signal.aborted) return;
            this.#startPolling(error);
          },
        },
      )
      .catch((error: unknown) => {
        if (!controller.signal.aborted) this.#startPolling(error);
      });
  }

  #startPolling(cause: unknown): void {
    if (this.#pollTimer !== undefined) return;
    this.#setStatus('polling', messageOf(cause));
    const poll = async () => {
      const signal = this.#controller?.signal;
      if (!signal || signal.aborted) return;
      try {
        const overview = await this.#api.overview({ signal });
        this.overview = overview;
        // While the stream is down the overview is all there is: views refresh on it.
        this.#emit({ kind: 'event', event: { type: 'overview', overview } });
        if (this.status === 'offline') this.#setStatus('polling', this.error);
      } catch (error) {
        if (!signal.aborted) this.#setStatus('offline', messageOf(error));
      }
      if (this.#pollTimer !== undefined) this.#pollTimer = setTimeout(poll, POLL_MS);
    };
    this.#pollTimer = setTimeout(poll, 0);
  }

  #stopPolling(): void {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  #stop(): void {
    this.#controller?.abort();
    this.#controller = undefined;
    this.#stopPolling();
    this.status = 'connecting';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Subscribes a component to the shared {@link LiveFeed} of its API while it is
 * connected, and calls `onMessage` for each event and status change.
 *
 * @example
 * ```ts
 * #live = new LiveController(this, () => this.client, (m) => { if (m.kind === 'event') this.#refresh(); });
 * ```
 */
export class LiveController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #api: () => QadminApi;
  readonly #onMessage: (message: LiveMessage) => void;
  readonly #enabled: () => boolean;
  #unlisten: (() => void) | undefined;
  #feed: LiveFeed | undefined;

  constructor(
    host: ReactiveControllerHost,
    api: () => QadminApi,
    onMessage: (message: LiveMessage) => void,
    /** Whether to listen now (`qadmin-app`: not before someone has signed in). Default always. */
    enabled: () => boolean = () => true,
  ) {
    this.#host = host;
    this.#api = api;
    this.#onMessage = onMessage;
    this.#enabled = enabled;
    host.addController(this);
  }

  /** The feed this controller listens to (undefined while disconnected). */
  get feed(): LiveFeed | undefined {
    return this.#feed;
  }

  hostConnected(): void {
    if (this.#enabled()) this.#subscribe();
  }

  hostUpdate(): void {
    // Before rendering, so what the feed says at once is part of this update.
    if (!this.#enabled()) this.hostDisconnected();
    else if (!this.#feed) this.#subscribe();
  }

  hostUpdated(): void {
    // The API can change (a new `api` property, or a context arriving late).
    if (this.#feed && LiveFeed.for(this.#api()) !== this.#feed) this.#subscribe();
  }

  hostDisconnected(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#feed = undefined;
  }

  #subscribe(): void {
    this.#unlisten?.();
    this.#feed = LiveFeed.for(this.#api());
    this.#unlisten = this.#feed.listen((message) => {
      this.#onMessage(message);
      this.#host.requestUpdate();
    });
  }
}
