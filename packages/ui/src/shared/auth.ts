import type { Permission } from '@qadmin/core';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { QadminApi } from './context';

/**
 * What `api/auth/me` answers (core's `AuthStatus`, as the client types it):
 * the principal, its permissions, whether a password login exists, why
 * writing is off for everyone when it is, and whether a first-run setup is
 * pending.
 */
export type AuthStatus = Awaited<ReturnType<QadminApi['me']>>;

/**
 * What the dashboard knows of who is using it:
 * - `loading`: `api/auth/me` has not answered yet (offer no changes meanwhile);
 * - `known`: its answer (`principal` is `null` when nobody is signed in);
 * - `unavailable`: it could not be asked (a server without access control, an
 *   API without `me()`, or no connection): the elements fall back to the
 *   queue's capabilities alone, and the server still refuses what it must.
 */
export type AuthState =
  | { phase: 'loading' }
  | { phase: 'known'; status: AuthStatus }
  | { phase: 'unavailable'; error: unknown };

const RAW = Symbol('qadmin-raw-api');
const watched = new WeakMap<QadminApi, QadminApi>();
/** Answers that never mean "the session ended": a failed login or setup is the form's business. */
const PUBLIC = new Set<PropertyKey>(['me', 'login', 'logout', 'setup']);

function rawApi(api: QadminApi): QadminApi {
  return (api as unknown as { [RAW]?: QadminApi })[RAW] ?? api;
}

function statusOf(error: unknown): unknown {
  return (error as { status?: unknown } | null | undefined)?.status;
}

/**
 * Who is signed in to one API, shared by every element on the page that uses
 * it (like {@link LiveFeed}): asks `me()` with the first listener, and hears
 * of sign-ins, sign-outs and of any call that answered 401.
 *
 * @example
 * ```ts
 * const auth = AuthStore.for(client);
 * const stop = auth.listen(() => console.log(auth.can('job.retry')));
 * ```
 */
export class AuthStore {
  static #stores = new WeakMap<QadminApi, AuthStore>();

  /** The store of `api` (the same for an API and its {@link watchUnauthenticated} copy). */
  static for(api: QadminApi): AuthStore {
    const raw = rawApi(api);
    let store = AuthStore.#stores.get(raw);
    if (!store) {
      store = new AuthStore(raw);
      AuthStore.#stores.set(raw, store);
    }
    return store;
  }

  readonly #api: QadminApi;
  readonly #listeners = new Set<() => void>();
  #loading: Promise<void> | undefined;
  #started = false;
  /** Bumped by every sign-in and sign-out: answers to older requests are stale. */
  #generation = 0;
  state: AuthState = { phase: 'loading' };

  private constructor(api: QadminApi) {
    this.#api = api;
  }

  /** The answer of `api/auth/me`, once known. */
  get status(): AuthStatus | undefined {
    return this.state.phase === 'known' ? this.state.status : undefined;
  }

  /**
   * Whether the UI may offer what needs `permission`: never while loading,
   * always when the server could not say (it still decides), else as it said.
   */
  can(permission: Permission): boolean {
    if (this.state.phase === 'loading') return false;
    if (this.state.phase === 'unavailable') return true;
    return (this.state.status.permissions as readonly string[]).includes(permission);
  }

  /** Adds a listener (and asks `me()` the first time); returns the function that removes it. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (!this.#started) {
      this.#started = true;
      void this.load();
    }
    return () => this.#listeners.delete(listener);
  }

  /** Counts sign-ins and sign-outs: a 401 to a request sent before the last one is stale. */
  get generation(): number {
    return this.#generation;
  }

  /** Asks `me()` again; concurrent calls share one request. */
  load(): Promise<void> {
    if (!this.#loading) {
      const loading = this.#ask().finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
    }
    return this.#loading;
  }

  async #ask(): Promise<void> {
    const generation = this.#generation;
    let next: AuthState;
    try {
      if (typeof this.#api.me !== 'function') throw new TypeError('The API has no me()');
      next = { phase: 'known', status: await this.#api.me() };
    } catch (error) {
      next = { phase: 'unavailable', error };
    }
    // A sign-in or sign-out while asking knows better.
    if (generation === this.#generation) this.#set(next);
  }

  /** Takes the status a login answered. */
  signedIn(status: AuthStatus): void {
    this.#generation++;
    this.#set({ phase: 'known', status });
  }

  /**
   * Forgets the principal: after a sign-out, or when a call sent in
   * `generation` (default: now) answered 401, the session having expired.
   * What is known of how to sign in is kept.
   */
  signedOut(generation = this.#generation): void {
    if (generation !== this.#generation) return;
    const status = this.status;
    if (!status) {
      // Not known how one signs in here: ask.
      void this.load();
      return;
    }
    if (status.principal === null && status.permissions.length === 0) return;
    this.#generation++;
    this.#set({ phase: 'known', status: { ...status, principal: null, permissions: [] } });
  }

  #set(state: AuthState): void {
    this.state = state;
    for (const listener of [...this.#listeners]) listener();
  }
}

/**
 * The same API, except that a call answering 401 tells its {@link AuthStore}
 * the session is gone (so `qadmin-app` shows the login page). One copy per
 * API, so the elements that share it share one live feed.
 *
 * @example
 * ```ts
 * provider.setValue(watchUnauthenticated(client));
 * ```
 */
export function watchUnauthenticated(api: QadminApi): QadminApi {
  const raw = rawApi(api);
  let copy = watched.get(raw);
  if (!copy) {
    copy = new Proxy(raw, {
      get(target, key, receiver) {
        if (key === RAW) return target;
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function' || PUBLIC.has(key)) return value;
        return (...args: unknown[]) => {
          const store = AuthStore.for(target);
          const generation = store.generation;
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.catch((error: unknown) => {
            if (statusOf(error) === 401) store.signedOut(generation);
            throw error;
          });
        };
      },
    });
    watched.set(raw, copy);
  }
  return copy;
}

/**
 * Subscribes an element to the {@link AuthStore} of its API while connected,
 * re-rendering it when who is signed in, or what they may do, changes.
 *
 * @example
 * ```ts
 * #auth = new AuthController(this, () => this.client);
 * // in render: this.#auth.can('job.retry') && caps.jobActions.includes('retry')
 * ```
 */
export class AuthController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #api: () => QadminApi;
  #store: AuthStore | undefined;
  #unlisten: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, api: () => QadminApi) {
    this.#host = host;
    this.#api = api;
    host.addController(this);
  }

  /** The store listened to (the API's, even before connecting). */
  get store(): AuthStore {
    return this.#store ?? AuthStore.for(this.#api());
  }

  get state(): AuthState {
    return this.store.state;
  }

  /** See {@link AuthStore.can}. */
  can(permission: Permission): boolean {
    return this.store.can(permission);
  }

  hostConnected(): void {
    this.#subscribe();
  }

  hostUpdated(): void {
    // The API can change (a new `api` property, or a context arriving late).
    if (this.#store && AuthStore.for(this.#api()) !== this.#store) this.#subscribe();
  }

  hostDisconnected(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#store = undefined;
  }

  #subscribe(): void {
    this.#unlisten?.();
    this.#store = AuthStore.for(this.#api());
    this.#unlisten = this.#store.listen(() => this.#host.requestUpdate());
  }
}
