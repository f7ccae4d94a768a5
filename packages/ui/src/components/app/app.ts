import { ContextProvider } from '@lit/context';
import type { Overview, Permission } from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { AuthController, watchUnauthenticated } from '../../shared/auth';
import {
  apiContext,
  configContext,
  type QadminApi,
  type QadminConfig,
  readPageConfig,
} from '../../shared/context';
import { QadminElement } from '../../shared/element';
import { errorMessage } from '../../shared/format';
import { LiveController } from '../../shared/live';
import { type NavigateDetail, parseRoute, type Route, routePath } from '../../shared/routes';
import { tokens } from '../../shared/styles';
import { appStyles } from './app.styles';

/** What a view element may offer to the keyboard shortcuts of `qadmin-app`. */
export interface KeyboardView {
  /** `/`: put the cursor in the view's search box. */
  focusSearch?(): void;
  /** `j` / `k`: move the focus to the next / previous row. */
  moveFocus?(delta: 1 | -1): void;
}

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'qadmin-theme';
type NavView = 'overview' | 'failed' | 'workers' | 'schedules' | 'metrics' | 'audit';
const NAV: [NavView, string, string][] = (
  [
    ['overview', 'Overview'],
    ['failed', 'Failed'],
    ['workers', 'Workers'],
    ['schedules', 'Schedules'],
    ['metrics', 'Metrics'],
    ['audit', 'Audit'],
  ] as const
).map(([view, label]) => [view, routePath({ view }), label]);
/** Views shown only to whoever has the permission (the server refuses the others anyway). */
const NAV_PERMISSION: Partial<Record<NavView, Permission>> = { audit: 'audit.read' };
/** `g` then a key: go to a view. */
const GO_KEYS: Record<string, string> = Object.fromEntries(
  (
    [
      ['o', 'overview'],
      ['f', 'failed'],
      ['w', 'workers'],
      ['s', 'schedules'],
      ['m', 'metrics'],
    ] as const
  ).map(([key, view]) => [key, routePath({ view })]),
);

/** Text with `code` spans (the server's messages quote option names so). */
function withCode(text: string): (string | TemplateResult)[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part));
}

/**
 * The whole dashboard: the sign-in page until someone is signed in (and again
 * when the session ends: any call answering 401), who is signed in with a
 * "Sign out" button, navigation, history routing with a deep link for every
 * view and filter, the live connection (SSE, polling while it is cut) with a
 * banner when the server or a backend cannot be reached, a banner when the
 * dashboard is read-only or anyone may change jobs, light and dark themes,
 * branding from the page's `qadmin-config`, and keyboard shortcuts. It
 * provides its API and settings to every element inside it; the views offer
 * only what the signed-in user may do.
 *
 * @summary The whole qadmin dashboard.
 * @csspart header - The top bar.
 * @csspart banner - The connection / backend warning.
 * @csspart notice - The read-only or anonymous-writes notice.
 * @cssproperty --qadmin-color-accent - Accent colour (links, primary buttons).
 * @cssproperty --qadmin-color-bg - Page background.
 * @cssproperty --qadmin-font-family - Text font.
 * @event qadmin-navigate - Handled here: views ask to go to a path (detail: {path, replace}).
 */
export class QadminApp extends QadminElement {
  static override styles = [tokens, appStyles];
  static override properties: PropertyDeclarations = {
    theme: { reflect: true },
    route: { state: true },
    query: { state: true },
    helpOpen: { state: true },
    loadError: { state: true },
    signingOut: { state: true },
    signOutError: { state: true },
  };

  /** `system` (default), `light` or `dark`; remembered in localStorage when changed here. */
  declare theme: Theme;
  declare route: Route;
  declare query: URLSearchParams;
  declare helpOpen: boolean;
  declare loadError: string | undefined;
  declare signingOut: boolean;
  declare signOutError: string;

  /**
   * Loads the elements of a view before it shows. The served app sets it to
   * load each view's code on first use; when unset (`@qadmin/ui/define`
   * registered everything) views render at once.
   */
  static loadView: ((view: Route['view']) => Promise<unknown>) | undefined;

  readonly config: QadminConfig = readPageConfig();
  #apiProvider = new ContextProvider(this, { context: apiContext });
  #configProvider = new ContextProvider(this, {
    context: configContext,
    initialValue: this.config,
  });
  #auth = new AuthController(this, () => this.client);
  #live = new LiveController(
    this,
    () => this.#api,
    (message) => {
      // Who is signed in could not be asked (no connection at start): ask once the server is back.
      const state = this.#auth.state;
      if (message.kind === 'status' && message.status === 'live' && state.phase === 'unavailable') {
        if (typeof (state.error as { status?: unknown } | null)?.status !== 'number') {
          void this.#auth.store.load();
        }
      }
    },
    () => this.#signedIn,
  );
  #pendingGo = false;
  #goTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.theme = (localStorage.getItem(THEME_KEY) as Theme | null) ?? this.config.theme ?? 'system';
    this.helpOpen = false;
    this.signingOut = false;
    this.signOutError = '';
    this.#readLocation();
  }

  /** The API the views use: the app's, telling it when a call finds the session gone. */
  get #api(): QadminApi {
    return watchUnauthenticated(this.client);
  }

  /**
   * Whether to show the dashboard: someone is signed in (or the anonymous
   * user), or the server could not say (it predates access control, or cannot
   * be reached: the views then say so).
   */
  get #signedIn(): boolean {
    const state = this.#auth.state;
    return (
      state.phase === 'unavailable' || (state.phase === 'known' && state.status.principal !== null)
    );
  }

  get #base(): URL {
    return new URL(this.href('.'));
  }

  #readLocation(): void {
    const url = new URL(location.href);
    this.route = parseRoute(url, this.#base);
    this.query = url.searchParams;
  }

  /** Goes to `path` (relative to the dashboard), adding a history entry unless `replace`. */
  navigate(path: string, replace = false): void {
    const url = new URL(path, this.#base);
    if (url.href === location.href) return;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.#readLocation();
    if (!replace) window.scrollTo(0, 0);
  }

  #onPopState = () => this.#readLocation();

  #onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event
      .composedPath()
      .find((node): node is HTMLAnchorElement => node instanceof HTMLAnchorElement);
    if (!anchor?.href || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(this.#base.pathname)) return;
    event.preventDefault();
    this.navigate(url.href);
  };

  #onNavigate = (event: Event) => {
    const { path, replace } = (event as CustomEvent<NavigateDetail>).detail;
    event.preventDefault();
    this.navigate(path, replace);
  };

  #onKeyDown = (event: KeyboardEvent) => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const target = event.composedPath()[0];
    if (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    ) {
      return;
    }
    const view = this.renderRoot.querySelector('main > *') as (HTMLElement & KeyboardView) | null;
    if (this.#pendingGo) {
      this.#pendingGo = false;
      const path = GO_KEYS[event.key];
      if (path) {
        event.preventDefault();
        this.navigate(path);
      }
      return;
    }
    switch (event.key) {
      case '/':
        if (view?.focusSearch) {
          event.preventDefault();
          view.focusSearch();
        }
        break;
      case 'j':
      case 'k':
        view?.moveFocus?.(event.key === 'j' ? 1 : -1);
        break;
      case 'g':
        this.#pendingGo = true;
        clearTimeout(this.#goTimer);
        this.#goTimer = setTimeout(() => {
          this.#pendingGo = false;
        }, 1500);
        break;
      case '?':
        this.helpOpen = true;
        break;
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // Again now that attributes (`base-url`, `link-base`) are set: they decide the base of routes.
    this.#readLocation();
    window.addEventListener('popstate', this.#onPopState);
    window.addEventListener('keydown', this.#onKeyDown);
    this.addEventListener('click', this.#onClick);
    this.addEventListener('qadmin-navigate', this.#onNavigate);
    this.addEventListener('qadmin-session-start', this.#onSessionStart);
    this.#applyBranding();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.#onPopState);
    window.removeEventListener('keydown', this.#onKeyDown);
    this.removeEventListener('click', this.#onClick);
    this.removeEventListener('qadmin-navigate', this.#onNavigate);
    this.removeEventListener('qadmin-session-start', this.#onSessionStart);
  }

  /** After signing in, the focus goes to the view (the form it was in is gone). */
  #onSessionStart = () => {
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('main')?.focus(),
    );
  };

  async #signOut(): Promise<void> {
    if (this.signingOut) return;
    this.signingOut = true;
    this.signOutError = '';
    const store = this.#auth.store;
    try {
      await this.#api.logout();
      store.signedOut();
      // Another provider (a proxy) may still know who this is: the server says.
      void store.load();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('qadmin-login')?.focus();
    } catch (error) {
      this.signOutError = `Could not sign out: ${errorMessage(error)}`;
    } finally {
      this.signingOut = false;
    }
  }

  #applyBranding(): void {
    const { accentColor, faviconUrl } = this.config;
    if (accentColor) this.style.setProperty('--qadmin-color-accent', accentColor);
    if (faviconUrl) {
      let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
      if (!link) {
        link = document.createElement('link');
        link.rel = 'icon';
        document.head.append(link);
      }
      link.removeAttribute('type');
      link.href = faviconUrl;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#apiProvider.setValue(this.#api);
    this.#configProvider.setValue(this.config);
    if (changed.has('route')) {
      const view = this.route.view;
      QadminApp.loadView?.(view).catch((error: unknown) => {
        console.error(`[qadmin] loading the ${view} view failed:`, error);
        this.loadError = `The ${view} view could not be loaded (${String(error)}). Reload the page.`;
      });
      const label = NAV.find(([view]) => view === this.route.view)?.[2];
      document.title = label ? `${label} · ${this.config.title}` : this.config.title;
    }
  }

  protected override firstUpdated(): void {
    // Sticky table headers in the views sit below the sticky top bar, whatever its height.
    const header = this.renderRoot.querySelector('header');
    if (!header) return;
    new ResizeObserver(() => {
      this.style.setProperty('--qadmin-sticky-top', `${header.offsetHeight}px`);
    }).observe(header);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('helpOpen')) {
      const dialog = this.renderRoot.querySelector('dialog');
      if (this.helpOpen && dialog && !dialog.open) dialog.showModal();
    }
  }

  #cycleTheme(): void {
    const next: Theme =
      this.theme === 'system' ? 'dark' : this.theme === 'dark' ? 'light' : 'system';
    this.theme = next;
    if (next === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, next);
  }

  #banner(overview: Overview | undefined): TemplateResult | typeof nothing {
    const feed = this.#live.feed;
    if (feed?.status === 'offline') {
      return html`<div class="banner offline" part="banner" role="alert">
        Cannot reach the dashboard server (${feed.error ?? 'no answer'}). Retrying; the page
        recovers by itself.
      </div>`;
    }
    // The overview names unreachable backends itself, next to their queues.
    const down =
      this.route.view === 'overview' ? [] : (overview?.backends.filter((b) => !b.ok) ?? []);
    const polling =
      feed?.status === 'polling'
        ? html`Live updates are interrupted; refreshing every few seconds until they return. `
        : nothing;
    if (down.length === 0 && polling === nothing) return nothing;
    return html`<div class="banner" part="banner" role="status">
      ${polling}
      ${down.map(
        (backend) =>
          html`<div>Backend <strong>${backend.label}</strong> is unreachable: ${backend.error}</div>`,
      )}
    </div>`;
  }

  /** Why nobody may change anything here, when that is so (no auth configured, or `readOnly`). */
  #readOnlyReason(overview: Overview | undefined): string | null {
    const reason = this.#auth.store.status?.readOnlyReason;
    if (reason) return reason;
    return (overview?.readOnly ?? this.config.readOnly)
      ? 'Changes are turned off on this dashboard: it runs read-only.'
      : null;
  }

  #notices(overview: Overview | undefined): TemplateResult[] {
    const notices: TemplateResult[] = [];
    const reason = this.#readOnlyReason(overview);
    if (reason) {
      notices.push(html`<div class="banner notice" part="notice" role="status">
        <strong>Read-only.</strong> ${withCode(reason)}
      </div>`);
    }
    const status = this.#auth.store.status;
    if (status?.anonymous && !reason && status.permissions.some((p) => p !== 'read')) {
      notices.push(html`<div class="banner danger" part="notice" role="alert">
        <strong>Anyone who can reach this dashboard can change jobs.</strong> Nobody signs in here
        (the server runs with <code>unsafeAnonymousWrites</code>): use it for local development only.
      </div>`);
    }
    return notices;
  }

  /** Who is signed in, and the button to sign out. */
  #principal(): TemplateResult | typeof nothing {
    const status = this.#auth.store.status;
    const principal = status?.principal;
    if (!status || !principal || principal.via === 'anonymous') return nothing;
    return html`<span class="who" title="Signed in by ${principal.via}">
        <span class="sr-only">Signed in as</span>
        <span class="name">${principal.name}</span>
        <span class="badge role">${principal.role}</span>
      </span>
      ${
        status.login
          ? html`<button type="button" class="sign-out" ?disabled=${this.signingOut} @click=${this.#signOut}>Sign out</button>`
          : nothing
      }`;
  }

  #nav(): TemplateResult {
    return html`<nav aria-label="Views">
      ${NAV.filter(([view]) => {
        const needed = NAV_PERMISSION[view];
        // Only when the server said so: an old server's unknown answer does not show it.
        return (
          needed === undefined ||
          (this.#auth.store.status?.permissions as readonly string[] | undefined)?.includes(needed)
        );
      }).map(
        ([view, path, label]) =>
          html`<a href=${this.href(path)} aria-current=${this.route.view === view || (view === 'overview' && (this.route.view === 'queue' || this.route.view === 'job')) ? 'page' : 'false'}
            >${label}</a
          >`,
      )}
    </nav>`;
  }

  #main(): TemplateResult {
    const state = this.#auth.state;
    if (state.phase === 'loading') {
      return html`<p class="muted loading" aria-busy="true">Loading…</p>`;
    }
    if (!this.#signedIn) {
      return html`<qadmin-login heading="Sign in to ${this.config.title}"></qadmin-login>`;
    }
    return this.#view();
  }

  #view(): TemplateResult {
    const route = this.route;
    const q = this.query;
    switch (route.view) {
      case 'overview':
        return html`<qadmin-overview
          .filter=${q.get('filter') ?? ''}
          .sort=${q.get('sort') ?? ''}
        ></qadmin-overview>`;
      case 'queue':
        return html`<qadmin-queue
          .queueId=${route.queueId}
          .state=${q.get('state') ?? ''}
          .search=${q.get('q') ?? ''}
          .searchIn=${q.get('in') ?? ''}
        ></qadmin-queue>`;
      case 'job':
        return html`<qadmin-job-detail .queueId=${route.queueId} .jobId=${route.jobId}></qadmin-job-detail>`;
      case 'failed':
        return html`<qadmin-failed></qadmin-failed>`;
      case 'workers':
        return html`<qadmin-workers .queueId=${q.get('queue') ?? ''}></qadmin-workers>`;
      case 'schedules':
        return html`<qadmin-schedules .queueId=${q.get('queue') ?? ''}></qadmin-schedules>`;
      case 'metrics':
        return html`<qadmin-metrics
          .queueId=${q.get('queue') ?? ''}
          .range=${q.get('range') ?? '1h'}
        ></qadmin-metrics>`;
      case 'audit':
        return html`<qadmin-audit></qadmin-audit>`;
      default:
        return html`<section>
          <h1>Not found</h1>
          <p>No view at <code>${route.path}</code>. <a href=${this.href('./')}>Go to the overview</a>.</p>
        </section>`;
    }
  }

  protected override render(): TemplateResult {
    const feed = this.#live.feed;
    const overview = feed?.overview;
    const signedIn = this.#signedIn;
    const readOnly = signedIn && this.#readOnlyReason(overview) !== null;
    const status = feed?.status ?? 'connecting';
    return html`
      <header part="header">
        <a class="brand" href=${this.href('./')}>
          ${this.config.logoUrl ? html`<img src=${this.config.logoUrl} alt="" />` : nothing}
          <span>${this.config.title}</span>
        </a>
        ${signedIn ? this.#nav() : html`<span class="spacer"></span>`}
        ${readOnly ? html`<span class="readonly" title="Changes are disabled on this dashboard">read-only</span>` : nothing}
        ${
          signedIn
            ? html`<span class="status" title="Live updates: ${status}">
              <span class="dot ${status}"></span>${status === 'live' ? 'live' : status}
            </span>`
            : nothing
        }
        ${this.#principal()}
        <button type="button" @click=${this.#cycleTheme} aria-label="Theme: ${this.theme} (change)">
          ${this.theme === 'dark' ? '☾' : this.theme === 'light' ? '☀' : '◐'}
        </button>
        <button type="button" @click=${() => (this.helpOpen = true)} aria-label="Keyboard shortcuts">?</button>
      </header>
      ${signedIn ? this.#notices(overview) : nothing}
      ${signedIn ? this.#banner(overview) : nothing}
      ${this.signOutError ? html`<div class="banner offline" role="alert">${this.signOutError}</div>` : nothing}
      ${this.loadError ? html`<div class="banner offline" role="alert">${this.loadError}</div>` : nothing}
      <main tabindex="-1">${this.#main()}</main>
      <dialog aria-label="Keyboard shortcuts" @close=${() => (this.helpOpen = false)}>
        <h2>Keyboard shortcuts</h2>
        <dl class="keys">
          <dt><kbd>/</kbd></dt><dd>Search</dd>
          <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>Next / previous row</dd>
          <dt><kbd>g</kbd> <kbd>o</kbd></dt><dd>Overview</dd>
          <dt><kbd>g</kbd> <kbd>f</kbd></dt><dd>Failed jobs</dd>
          <dt><kbd>g</kbd> <kbd>w</kbd></dt><dd>Workers</dd>
          <dt><kbd>g</kbd> <kbd>s</kbd></dt><dd>Schedules</dd>
          <dt><kbd>g</kbd> <kbd>m</kbd></dt><dd>Metrics</dd>
          <dt><kbd>?</kbd></dt><dd>This help</dd>
        </dl>
        <form method="dialog"><button class="primary">Close</button></form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-app': QadminApp;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-navigate': CustomEvent<NavigateDetail>;
  }
}
