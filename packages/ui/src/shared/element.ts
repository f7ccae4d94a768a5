import { ContextConsumer } from '@lit/context';
import { createClient } from '@qadmin/client';
import { LitElement, type PropertyDeclarations } from 'lit';
import { apiContext, type QadminApi } from './context';

const clients = new Map<string, QadminApi>();

/**
 * The base of every qadmin element: where its data comes from. The `api`
 * property wins; else the API an enclosing element provides through
 * {@link apiContext}; else a client for the `base-url` attribute (or the
 * page's `<base href>`), shared by every element with the same URL.
 */
export class QadminElement extends LitElement {
  static override properties: PropertyDeclarations = {
    api: { attribute: false },
    baseUrl: { attribute: 'base-url' },
    linkBase: { attribute: 'link-base' },
  };

  /** The API to read from; set it, or let an enclosing element provide one. */
  declare api: QadminApi | undefined;
  /** Where the dashboard's API is mounted (`/admin/queues`), when there is no `api`. */
  declare baseUrl: string | undefined;
  /**
   * Where links point (the full dashboard's URL); defaults to `base-url`, then
   * the page's base. Embedded elements link into the full dashboard.
   */
  declare linkBase: string | undefined;

  #provided: QadminApi | undefined;

  constructor() {
    super();
    new ContextConsumer(this, {
      context: apiContext,
      subscribe: true,
      callback: (api) => {
        this.#provided = api;
        this.requestUpdate();
      },
    });
  }

  /** The API this element reads from now. */
  get client(): QadminApi {
    if (this.api) return this.api;
    if (this.#provided) return this.#provided;
    const url = new URL(this.baseUrl ?? '.', document.baseURI).href;
    let client = clients.get(url);
    if (!client) {
      client = createClient({ baseUrl: url });
      clients.set(url, client);
    }
    return client;
  }

  /**
   * The URL of a dashboard view, for links: `href('queues/memory%3Aemails')`.
   * Relative to `link-base`, else `base-url`, else the page's base.
   */
  href(path: string): string {
    const base = new URL(this.linkBase ?? this.baseUrl ?? '.', document.baseURI);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return new URL(path, base).href;
  }

  /** Dispatches a `qadmin-*` event that bubbles out of shadow roots. */
  protected emit<T>(type: string, detail: T, cancelable = false): boolean {
    return this.dispatchEvent(
      new CustomEvent<T>(type, { detail, bubbles: true, composed: true, cancelable }),
    );
  }
}
