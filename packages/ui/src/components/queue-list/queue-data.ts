import { initialState, Task } from '@lit/task';
import type { Overview, Throughput } from '@qadmin/core';
import type { ReactiveControllerHost } from 'lit';
import type { QadminApi } from '../../shared/context';
import { LiveController, type LiveFeed } from '../../shared/live';

/** Sparklines cover an hour in 5-minute buckets: a fresh copy every minute is plenty. */
export const THROUGHPUT_REFRESH_MS = 60_000;

/**
 * The data of the queue overview, for `qadmin-overview` and a standalone
 * `qadmin-queue-list`: the overview from the shared live feed (fetched once
 * only while the feed has none yet) and the throughput of every queue (one
 * request, renewed on live updates at most once a minute).
 */
export class QueueData {
  readonly #live: LiveController;
  readonly #overview: Task<[QadminApi], Overview>;
  readonly #throughput: Task<[QadminApi, number], Throughput>;
  #lastThroughput: Throughput | undefined;
  #throughputRound = 0;
  #throughputAskedAt = Number.NEGATIVE_INFINITY;

  constructor(host: ReactiveControllerHost, api: () => QadminApi) {
    this.#live = new LiveController(host, api, (message) => {
      if (message.kind === 'event' && message.event.type === 'overview') {
        if (Date.now() - this.#throughputAskedAt >= THROUGHPUT_REFRESH_MS) this.#throughputRound++;
      }
    });
    this.#overview = new Task(host, {
      task: async ([client], { signal }) => {
        if (this.#live.feed?.overview) return initialState;
        return client.overview({ signal });
      },
      args: () => [api()],
    });
    this.#throughput = new Task(host, {
      task: async ([client], { signal }) => {
        this.#throughputAskedAt = Date.now();
        return client.throughput({ signal });
      },
      args: () => [api(), this.#throughputRound],
      onComplete: (value) => {
        this.#lastThroughput = value;
      },
    });
  }

  /** The live feed (for its status), while connected. */
  get feed(): LiveFeed | undefined {
    return this.#live.feed;
  }

  /** The latest overview: the live feed's, else the one fetched. */
  get overview(): Overview | undefined {
    return this.#live.feed?.overview ?? this.#overview.value;
  }

  /** Why the overview could not be loaded (only while there is none to show). */
  get overviewError(): unknown {
    return this.overview ? undefined : this.#overview.error;
  }

  /** Asks for the overview again (after a failure). */
  retry(): void {
    void this.#overview.run();
  }

  /** The latest throughput that loaded; kept while a refresh runs or fails. */
  get throughput(): Throughput | undefined {
    return this.#lastThroughput;
  }

  /** Why the last throughput request failed, if it did. */
  get throughputError(): unknown {
    return this.#throughput.error;
  }
}
