import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import {
  createFakeApi,
  type FakeApi,
  type FakeAuth,
  fakeOverview,
  fakeProblem,
} from '../../test-support/fake-api';
import { QadminAudit } from '../audit/audit';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJobDetail } from '../job-detail/job-detail';
import { QadminJobList } from '../job-list/job-list';
import { QadminJsonView } from '../json-view/json-view';
import { QadminLogin } from '../login/login';
import { QadminQueue } from '../queue/queue';
import { QadminSchedules } from '../schedules/schedules';
import { QadminApp } from './app';

for (const [tag, element] of Object.entries({
  'qadmin-app': QadminApp,
  'qadmin-audit': QadminAudit,
  'qadmin-login': QadminLogin,
  'qadmin-confirm': QadminConfirm,
  'qadmin-job-detail': QadminJobDetail,
  'qadmin-job-list': QadminJobList,
  'qadmin-json-view': QadminJsonView,
  'qadmin-queue': QadminQueue,
  'qadmin-schedules': QadminSchedules,
})) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

const START = location.href;

async function mountApp(api = createFakeApi(), baseUrl?: string) {
  const app = document.createElement('qadmin-app');
  app.api = api.api;
  if (baseUrl) app.baseUrl = baseUrl;
  document.body.append(app);
  await app.updateComplete;
  return { app, ...api };
}

const mount = (api?: FakeApi) => mountApp(api);

describe('qadmin-app', () => {
  afterEach(() => {
    history.replaceState(null, '', START);
    document.body.replaceChildren();
    localStorage.clear();
  });

  it('shows the navigation and goes live over the event stream', async () => {
    const { app } = await mount();
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('nav')).not.toBeNull());
    const nav = app.shadowRoot!.querySelector('nav')!;
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent?.trim())).toEqual([
      'Overview',
      'Failed',
      'Workers',
      'Schedules',
      'Metrics',
      'Audit',
    ]);
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('.dot.live')).not.toBeNull());
    await expectAccessible(app);
  });

  it('shows a banner naming a backend that cannot be read, outside the overview', async () => {
    const fake = createFakeApi();
    const { app } = await mount(fake);
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('.dot.live')).not.toBeNull());
    app.navigate('workers');
    await app.updateComplete;
    const overview = fakeOverview();
    overview.backends[1] = {
      ...overview.backends[1]!,
      ok: false,
      error: 'ECONNREFUSED 127.0.0.1:6379',
    };
    fake.push({ type: 'overview', overview });
    await vi.waitFor(() =>
      expect(app.shadowRoot!.querySelector('[part=banner]')?.textContent).toContain('ECONNREFUSED'),
    );
  });

  it('shows a banner when the server cannot be reached, and recovers', async () => {
    let reachable = false;
    const fake = createFakeApi({
      events: (_onEvent, options = {}) =>
        new Promise((_resolve, reject) => {
          if (!reachable) reject(new TypeError('Failed to fetch'));
          else options.onOpen?.();
        }),
      overview: async () => {
        if (!reachable) throw new TypeError('Failed to fetch');
        return fakeOverview();
      },
    });
    const { app } = await mount(fake);
    await vi.waitFor(() =>
      expect(app.shadowRoot!.querySelector('[part=banner]')?.textContent).toMatch(/Cannot reach/),
    );
    reachable = true;
    await vi.waitFor(
      () =>
        expect(app.shadowRoot!.querySelector('[part=banner]')?.textContent ?? '').not.toMatch(
          /Cannot reach/,
        ),
      { timeout: 8000 },
    );
  });

  it('switches theme between system, dark and light, and remembers it', async () => {
    const { app } = await mount();
    expect(app.theme).toBe('system');
    const button = app.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label^="Theme"]')!;
    button.click();
    await app.updateComplete;
    expect(app.getAttribute('theme')).toBe('dark');
    expect(getComputedStyle(app).colorScheme).toBe('dark');
    expect(localStorage.getItem('qadmin-theme')).toBe('dark');
  });

  it("takes title, logo, favicon, accent colour and default theme from the page's qadmin-config", async () => {
    const meta = document.createElement('meta');
    meta.name = 'qadmin-config';
    meta.content = JSON.stringify({
      basePath: '',
      apiBase: '/api',
      title: 'Acme jobs',
      readOnly: false,
      logoUrl: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg"/%3E',
      faviconUrl: '/brand/icon.png',
      accentColor: 'rgb(177, 78, 35)',
      theme: 'dark',
    });
    document.head.append(meta);
    try {
      const { app } = await mount();
      const brand = app.shadowRoot!.querySelector('.brand')!;
      expect(brand.textContent?.trim()).toBe('Acme jobs');
      expect(brand.querySelector('img')!.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
      expect(document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href).toBe(
        new URL('/brand/icon.png', location.href).href,
      );
      expect(getComputedStyle(app).getPropertyValue('--qadmin-color-accent').trim()).toBe(
        'rgb(177, 78, 35)',
      );
      // The configured theme is the default; a user's own choice still wins.
      expect(app.theme).toBe('dark');
      expect(getComputedStyle(app).colorScheme).toBe('dark');
      app.remove();
      localStorage.setItem('qadmin-theme', 'light');
      const { app: again } = await mount();
      expect(again.theme).toBe('light');
    } finally {
      meta.remove();
      document.querySelector('link[rel="icon"]')?.remove();
    }
  });

  it('opens the shortcut help with ?', async () => {
    const { app } = await mount();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '?' }));
    await app.updateComplete;
    expect(app.shadowRoot!.querySelector('dialog')!.open).toBe(true);
  });
});

describe('qadmin-app access control', () => {
  afterEach(() => {
    history.replaceState(null, '', START);
    document.body.replaceChildren();
    localStorage.clear();
  });

  // Without a <base> (the served page has one) routes would be read relative to the current page.
  const mount = (fake: FakeApi = createFakeApi()) => mountApp(fake, new URL('.', START).pathname);
  const root = (app: QadminApp) => app.shadowRoot!;
  const login = (app: QadminApp) => root(app).querySelector('qadmin-login');
  const view = <T extends Element>(app: QadminApp, tag: string) =>
    root(app).querySelector(`main > ${tag}`) as (T & { shadowRoot: ShadowRoot }) | null;

  function signedIn(role: 'viewer' | 'operator' | 'admin', more: Partial<FakeAuth> = {}) {
    return createFakeApi(
      {},
      { auth: { principal: { id: role, name: `${role}-1`, role, via: 'password' }, ...more } },
    );
  }

  async function signIn(app: QadminApp, username: string, password: string) {
    await vi.waitFor(() => expect(login(app)?.shadowRoot?.querySelector('form')).toBeTruthy());
    const form = login(app)!.shadowRoot!;
    for (const [id, value] of [
      ['username', username],
      ['password', password],
    ] as const) {
      const input = form.querySelector<HTMLInputElement>(`#${id}`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    await login(app)!.updateComplete;
    form.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
  }

  /** The job page once loaded, and its action buttons. */
  async function jobActions(app: QadminApp): Promise<string[]> {
    app.navigate('queues/memory%3Aemails/jobs/1');
    await vi.waitFor(() =>
      expect(view(app, 'qadmin-job-detail')?.shadowRoot.querySelector('h1 .badge')).toBeTruthy(),
    );
    const detail = view<QadminJobDetail>(app, 'qadmin-job-detail')!;
    // The queue (its capabilities) loads beside the job.
    await vi.waitFor(() =>
      expect(detail.shadowRoot.querySelector('qadmin-json-view')).toBeTruthy(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await detail.updateComplete;
    return [...detail.shadowRoot.querySelectorAll<HTMLButtonElement>('[part=toolbar] button')].map(
      (b) => b.dataset.action!,
    );
  }

  /** The queue page's bulk actions, and whether its job list offers selecting jobs. */
  async function queueActions(app: QadminApp): Promise<{ bulk: string[]; select: boolean }> {
    app.navigate('queues/memory%3Aemails?state=failed');
    await vi.waitFor(() => {
      const list = view(app, 'qadmin-queue')?.shadowRoot.querySelector('qadmin-job-list');
      expect(list?.shadowRoot?.querySelectorAll('.body [part=row]').length).toBeGreaterThan(0);
    });
    const queue = view(app, 'qadmin-queue')!;
    const list = queue.shadowRoot.querySelector('qadmin-job-list')!;
    return {
      bulk: [...queue.shadowRoot.querySelectorAll('.actions button')].map((b) =>
        b.textContent!.trim(),
      ),
      select: list.shadowRoot!.querySelector('input[type=checkbox]') !== null,
    };
  }

  async function scheduleButtons(app: QadminApp): Promise<string[]> {
    app.navigate('schedules');
    await vi.waitFor(() =>
      expect(
        view(app, 'qadmin-schedules')?.shadowRoot.querySelectorAll('tbody tr').length,
      ).toBeGreaterThan(0),
    );
    return [...view(app, 'qadmin-schedules')!.shadowRoot.querySelectorAll('button')].map((b) =>
      b.textContent!.trim(),
    );
  }

  it('shows the login page first, signs in and loads the dashboard', async () => {
    const fake = createFakeApi({}, { auth: { principal: null } });
    const { app } = await mount(fake);
    await vi.waitFor(() => expect(login(app)).not.toBeNull());
    // Nothing but the login is asked before someone signs in.
    expect(root(app).querySelector('nav')).toBeNull();
    expect(fake.callsOf('events')).toEqual([]);
    expect(fake.callsOf('overview')).toEqual([]);
    expect(login(app)!.heading).toBe('Sign in to qadmin');
    await expectAccessible(app);

    await signIn(app, 'ada', 'secret');
    await vi.waitFor(() => expect(root(app).querySelector('nav')).not.toBeNull());
    expect(login(app)).toBeNull();
    await vi.waitFor(() => expect(root(app).querySelector('.dot.live')).not.toBeNull());
    const who = root(app).querySelector('.who')!;
    expect(who.querySelector('.name')!.textContent).toBe('ada');
    expect(who.querySelector('.role')!.textContent).toBe('admin');
    expect(root(app).querySelector('button.sign-out')).not.toBeNull();
    await expectAccessible(app);
  });

  it('shows the first-run setup instead of the login, and continues signed in as the new admin', async () => {
    const fake = createFakeApi(
      {},
      {
        auth: {
          principal: null,
          setup: true,
          readOnlyReason: 'The dashboard has no admin yet, so nothing can be changed.',
        },
      },
    );
    const { app } = await mount(fake);
    await vi.waitFor(() =>
      expect(login(app)?.shadowRoot?.querySelector('h1')?.textContent).toBe(
        'Create the first admin',
      ),
    );
    expect(root(app).querySelector('nav')).toBeNull();
    expect(fake.callsOf('overview')).toEqual([]);
    await expectAccessible(app);

    const form = login(app)!.shadowRoot!;
    for (const [id, value] of [
      ['code', fake.auth.setupCode],
      ['username', 'root'],
      ['password', 'a-long-admin-password'],
      ['repeat', 'a-long-admin-password'],
    ] as const) {
      const input = form.querySelector<HTMLInputElement>(`#${id}`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    await login(app)!.updateComplete;
    form.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() => expect(root(app).querySelector('nav')).not.toBeNull());
    expect(root(app).querySelector('.who .name')!.textContent).toBe('root');
    // Signed in with every right: no read-only notice any more.
    expect(root(app).querySelector('[part=notice]')).toBeNull();
    expect(root(app).querySelector('button.sign-out')).not.toBeNull();
  });

  it('says a wrong password on the login page, and stays there', async () => {
    const { app } = await mount(createFakeApi({}, { auth: { principal: null } }));
    await signIn(app, 'ada', 'nope');
    await vi.waitFor(() =>
      expect(login(app)!.shadowRoot!.querySelector('[role=alert]')!.textContent!.trim()).toBe(
        'Wrong username or password.',
      ),
    );
    expect(root(app).querySelector('nav')).toBeNull();
  });

  it('shows the 429 detail on the login page', async () => {
    const { app } = await mount(
      createFakeApi({}, { auth: { principal: null, lockedForSeconds: 9 } }),
    );
    await signIn(app, 'ada', 'secret');
    await vi.waitFor(() =>
      expect(login(app)!.shadowRoot!.querySelector('[role=alert]')!.textContent).toContain(
        'Try again in 9 s',
      ),
    );
  });

  it('says "not signed in" instead of a form when there is no password login', async () => {
    const { app } = await mount(createFakeApi({}, { auth: { principal: null, login: false } }));
    await vi.waitFor(() =>
      expect(login(app)?.shadowRoot?.querySelector('h1')?.textContent).toBe('Not signed in'),
    );
    expect(login(app)!.shadowRoot!.querySelector('form')).toBeNull();
    await expectAccessible(app);
  });

  it('signs out and returns to the login page', async () => {
    const fake = createFakeApi();
    const { app } = await mount(fake);
    await vi.waitFor(() => expect(root(app).querySelector('button.sign-out')).not.toBeNull());
    root(app).querySelector<HTMLButtonElement>('button.sign-out')!.click();
    await vi.waitFor(() => expect(login(app)?.shadowRoot?.querySelector('form')).toBeTruthy());
    expect(fake.callsOf('logout')).toHaveLength(1);
    expect(root(app).querySelector('.who')).toBeNull();
    expect(root(app).querySelector('nav')).toBeNull();
  });

  it('shows the login page when a call answers 401, and comes back to the same page', async () => {
    const fake = createFakeApi();
    const { app } = await mount(fake);
    await vi.waitFor(() => expect(root(app).querySelector('nav')).not.toBeNull());
    fake.auth.principal = null; // The session expired on the server.
    app.navigate('queues/memory%3Aemails/jobs/1');
    await vi.waitFor(() => expect(login(app)?.shadowRoot?.querySelector('form')).toBeTruthy());
    await signIn(app, 'ada', 'secret');
    await vi.waitFor(() =>
      expect(view(app, 'qadmin-job-detail')?.shadowRoot.querySelector('h1 .badge')).toBeTruthy(),
    );
  });

  it('offers a viewer no actions at all', async () => {
    const { app } = await mount(signedIn('viewer'));
    expect(await jobActions(app)).toEqual([]);
    expect(await queueActions(app)).toEqual({ bulk: [], select: false });
    expect(await scheduleButtons(app)).toEqual([]);
    expect(root(app).querySelector('.who .role')!.textContent).toBe('viewer');
  });

  it('offers an operator job actions, but no bulk actions or schedule editing', async () => {
    const { app } = await mount(signedIn('operator'));
    expect(await jobActions(app)).toEqual(['retry', 'update-data', 'duplicate', 'remove']);
    expect(await queueActions(app)).toEqual({ bulk: [], select: true });
    expect(await scheduleButtons(app)).toEqual([]);
  });

  it('offers an admin everything the queue can do', async () => {
    const { app } = await mount(signedIn('admin'));
    expect(await jobActions(app)).toEqual(['retry', 'update-data', 'duplicate', 'remove']);
    const { bulk, select } = await queueActions(app);
    expect(bulk).toEqual([
      'Pause',
      'Promote all delayed',
      'Retry all…',
      'Clean…',
      'Empty…',
      'Obliterate…',
    ]);
    expect(select).toBe(true);
    expect(await scheduleButtons(app)).toContain('New schedule');
  });

  it('shows the audit trail only to whoever may read it', async () => {
    const navOf = async (app: QadminApp) => {
      await vi.waitFor(() => expect(root(app).querySelector('nav')).not.toBeNull());
      return [...root(app).querySelectorAll('nav a')].map((a) => a.textContent?.trim());
    };
    const operator = await mount(signedIn('operator'));
    expect(await navOf(operator.app)).not.toContain('Audit');
    document.body.replaceChildren();

    const { app, callsOf } = await mount(signedIn('admin'));
    expect(await navOf(app)).toContain('Audit');
    root(app).querySelector<HTMLAnchorElement>('nav a[href$="audit"]')!.click();
    expect(location.pathname).toMatch(/\/audit$/);
    await vi.waitFor(() =>
      expect(view(app, 'qadmin-audit')?.shadowRoot.querySelectorAll('tbody tr').length).toBe(30),
    );
    expect(callsOf('audit')).toHaveLength(1);
    expect(document.title).toMatch(/^Audit/);
  });

  it('follows the permissions the server lists, whatever the role', async () => {
    const { app } = await mount(signedIn('operator', { permissions: ['read', 'job.duplicate'] }));
    expect(await jobActions(app)).toEqual(['duplicate']);
  });

  it('shows why the dashboard is read-only, with a viewer anonymous', async () => {
    const reason =
      'No auth provider is configured, so the dashboard is read-only: set `auth` (password login, tokens, a proxy) to allow changes.';
    const { app } = await mount(
      createFakeApi(
        {},
        {
          auth: {
            principal: { id: 'anonymous', name: 'anonymous', role: 'viewer', via: 'anonymous' },
            anonymous: true,
            login: false,
            readOnlyReason: reason,
          },
        },
      ),
    );
    await vi.waitFor(() => expect(root(app).querySelector('[part=notice]')).not.toBeNull());
    const notice = root(app).querySelector('[part=notice]')!;
    expect(notice.getAttribute('role')).toBe('status');
    expect(notice.textContent!.replace(/\s+/g, ' ')).toContain(
      'set auth (password login, tokens, a proxy) to allow changes.',
    );
    expect(notice.querySelector('code')!.textContent).toBe('auth');
    expect(root(app).querySelector('.readonly')).not.toBeNull();
    // Nobody to sign out.
    expect(root(app).querySelector('.who')).toBeNull();
    expect(root(app).querySelector('button.sign-out')).toBeNull();
    expect(await jobActions(app)).toEqual([]);
    await expectAccessible(app);
  });

  it('shows the read-only notice of a dashboard configured readOnly too', async () => {
    const fake = createFakeApi({
      events: (onEvent, options = {}) =>
        new Promise<void>((resolve) => {
          options.onOpen?.();
          onEvent({ type: 'overview', overview: fakeOverview({ readOnly: true }) });
          options.signal?.addEventListener('abort', () => resolve());
        }),
    });
    const { app } = await mount(fake);
    await vi.waitFor(() =>
      expect(root(app).querySelector('[part=notice]')?.textContent).toContain('it runs read-only'),
    );
  });

  it('warns that anyone can change jobs when anonymous users may write', async () => {
    const { app } = await mount(
      createFakeApi(
        {},
        {
          auth: {
            principal: { id: 'anonymous', name: 'anonymous', role: 'admin', via: 'anonymous' },
            anonymous: true,
            login: false,
          },
        },
      ),
    );
    await vi.waitFor(() => expect(root(app).querySelector('[part=notice]')).not.toBeNull());
    const warning = root(app).querySelector('[part=notice]')!;
    expect(warning.getAttribute('role')).toBe('alert');
    expect(warning.textContent).toContain('Anyone who can reach this dashboard can change jobs');
    expect(root(app).querySelector('.readonly')).toBeNull();
    await expectAccessible(app);
  });

  it("shows a 403's detail where the action failed", async () => {
    const fake: FakeApi = createFakeApi({
      jobAction: async () => {
        throw fakeProblem(
          403,
          'forbidden',
          'Not allowed',
          'job.retry needs the admin role; ada is operator',
        );
      },
    });
    const { app } = await mount(fake);
    await jobActions(app);
    const detail = view<QadminJobDetail>(app, 'qadmin-job-detail')!;
    detail.shadowRoot.querySelector<HTMLButtonElement>('button[data-action=retry]')!.click();
    await vi.waitFor(() =>
      expect(detail.shadowRoot.querySelector('[role=alert]')?.textContent).toContain(
        'job.retry needs the admin role; ada is operator',
      ),
    );
  });
});
