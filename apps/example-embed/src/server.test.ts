/**
 * apps/example-embed booted as a user would (`node src/server.js`), then its
 * two pages opened in Chromium: the elements render inside the site's own
 * layout, take the site's theme, work under its strict CSP, and talk to the
 * dashboard mounted at /admin/queues.
 */
import { fileURLToPath } from 'node:url';
import { launchBrowser, type SpawnedApp, spawnApp } from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = fileURLToPath(new URL('./server.js', import.meta.url));

describe('apps/example-embed', () => {
  let app: SpawnedApp;
  beforeAll(async () => {
    app = await spawnApp(server);
  }, 40_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("serves the site's pages, their bundled scripts and the dashboard's API", async () => {
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(app.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<qadmin-overview base-url="/admin/queues"');
    for (const script of ['assets/embed.js', 'assets/react-page.js']) {
      const response = await fetch(new URL(script, app.url));
      expect(response.status, script).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
    }
    const overview = await fetch(new URL('admin/queues/api/overview', app.url));
    const body = (await overview.json()) as { queues: { name: string }[] };
    expect(body.queues.map((queue) => queue.name)).toContain('emails');
  });

  it('shows the elements inside the plain page, themed by its stylesheet', async () => {
    const browser = await launchBrowser();
    try {
      const { page, errors } = browser;
      await page.goto(app.url);
      const overview = page.locator('qadmin-overview');
      const emails = overview.getByRole('link', { name: 'emails', exact: true });
      await emails.waitFor();
      // Links lead into the full dashboard mounted beside the page.
      const href = new URL((await emails.getAttribute('href')) ?? '', app.url);
      expect(href.pathname).toBe('/admin/queues/queues/memory%3Aemails');
      // The site's tokens reach inside the shadow roots: Acme's type and brand colour.
      const looks = await overview.evaluate((element) => {
        const style = getComputedStyle(element.shadowRoot!.firstElementChild ?? element);
        const probe = document.createElement('span');
        probe.style.color = 'var(--qadmin-color-accent)';
        element.shadowRoot!.append(probe);
        const accent = getComputedStyle(probe).color;
        probe.remove();
        return { font: style.fontFamily, accent };
      });
      expect(looks.font).toContain('Gill Sans');
      expect(looks.accent).toBe('rgb(177, 78, 35)');
      await page
        .locator('qadmin-workers')
        .getByText(/mailer|worker/i)
        .first()
        .waitFor();
      expect(await page.locator('qadmin-failed').evaluate((el) => el.shadowRoot !== null)).toBe(
        true,
      );
      // No CSP violation, failed request or script error on the way.
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('drives <qadmin-queue-list> from React state and reads its events', async () => {
    const browser = await launchBrowser();
    try {
      const { page, errors } = browser;
      await page.goto(new URL('react.html', app.url).href);
      const list = page.locator('qadmin-queue-list');
      await list.getByRole('link', { name: 'emails', exact: true }).waitFor();
      await page.getByLabel('Filter').fill('web');
      await expect
        .poll(() => list.getByRole('link', { name: 'emails', exact: true }).count())
        .toBe(0);
      await list.getByRole('link', { name: 'webhooks', exact: true }).click();
      // The page cancelled the element's navigation and shows the queue's workers instead.
      await expect.poll(() => page.getByRole('status').textContent()).toContain('memory:webhooks');
      expect(new URL(page.url()).pathname).toBe('/react.html');
      expect(await page.locator('qadmin-workers').getAttribute('queue-id')).toBe('memory:webhooks');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('stops cleanly on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
