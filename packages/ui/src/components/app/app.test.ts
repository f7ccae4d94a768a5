import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, fakeOverview } from '../../test-support/fake-api';
import { QadminApp } from './app';

if (!customElements.get('qadmin-app')) customElements.define('qadmin-app', QadminApp);

const START = location.href;

async function mount(api = createFakeApi()) {
  const app = document.createElement('qadmin-app');
  app.api = api.api;
  document.body.append(app);
  await app.updateComplete;
  return { app, ...api };
}

describe('qadmin-app', () => {
  afterEach(() => {
    history.replaceState(null, '', START);
    document.body.replaceChildren();
    localStorage.clear();
  });

  it('shows the navigation and goes live over the event stream', async () => {
    const { app } = await mount();
    const nav = app.shadowRoot!.querySelector('nav')!;
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent?.trim())).toEqual([
      'Overview',
      'Failed',
      'Workers',
      'Schedules',
      'Metrics',
    ]);
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('.dot.live')).not.toBeNull());
    await expectAccessible(app);
  });

  it('shows a banner naming a backend that cannot be read, outside the overview', async () => {
    const fake = createFakeApi();
    const { app } = await mount(fake);
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
