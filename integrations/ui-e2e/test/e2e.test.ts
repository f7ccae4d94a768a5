/**
 * The dashboard end to end: a real server (Express + @qadmin/express + the
 * memory backend with failing jobs) serving the built UI, driven by Chromium.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryBackend } from '@qadmin/backend-memory';
import { findInstalledUi } from '@qadmin/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, launchBrowser, startDashboard, UI_DIR } from './support';

async function seed(backend: MemoryBackend): Promise<void> {
  const emails = backend.queue('emails');
  for (let i = 0; i < 5; i++) {
    await emails.add('send-email', { to: `user${i}@example.com` }, { attempts: 1 });
  }
  // Every job fails once: a handler that throws until the test flips it.
  let healthy = false;
  const worker = emails.process(
    'send-email',
    async (job) => {
      if (!healthy) throw new Error(`SMTP 421 for ${job.data.to}`);
      return { sent: true };
    },
    { name: 'mailer' },
  );
  await waitFor(
    async () => ((await backend.getStats(['emails'])).emails?.counts.failed ?? 0) === 5,
  );
  healthy = true;
  void worker;
  backend.queue('reports').add('daily', { day: '2026-11-25' });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the dashboard in Chromium', () => {
  let dashboard: Dashboard;

  beforeAll(async () => {
    if (!existsSync(join(UI_DIR, 'index.html'))) {
      throw new Error(`${UI_DIR}/index.html is missing: run pnpm build in packages/ui first`);
    }
    dashboard = await startDashboard(seed);
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('overview -> queue -> failed tab -> job -> retry, and the counts change live', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(dashboard.url);
      const emails = page.getByRole('link', { name: 'emails', exact: true });
      await emails.waitFor();
      await emails.click();
      await page.waitForURL(/\/queues\/memory%3Aemails/);
      const failedTab = page.getByRole('tab', { name: /failed/i });
      await expect.poll(() => failedTab.textContent()).toMatch(/5/);
      await failedTab.click();
      await page.waitForURL(/state=failed/);
      const jobLink = page.locator('qadmin-job-list').getByRole('link').first();
      await jobLink.waitFor();
      await jobLink.click();
      await page.waitForURL(/\/jobs\//);
      await page
        .getByText(/SMTP 421/)
        .first()
        .waitFor();
      await page.getByRole('button', { name: /^retry$/i }).click();
      // The retried job completes: the queue's failed count drops to 4, pushed over SSE.
      await page.goBack();
      await expect.poll(() => failedTab.textContent(), { timeout: 10_000 }).toMatch(/4/);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('is the UI core serves by default once @qadmin/ui is installed', () => {
    expect(findInstalledUi()).toBe(UI_DIR);
  });

  it('reloading a deep link lands on the same view', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const deep = `${dashboard.url}queues/memory%3Aemails?state=failed`;
      await page.goto(deep);
      await page.getByRole('tab', { name: /failed/i, selected: true }).waitFor();
      await page.reload();
      await page.getByRole('tab', { name: /failed/i, selected: true }).waitFor();
      expect(page.url()).toBe(deep);
      // Every view in the navigation, opened straight from its URL, is that view (no path of
      // the UI may be one core answers itself, such as Prometheus text at `metrics`).
      const nav = page.getByRole('navigation', { name: 'Views' }).getByRole('link');
      const links = await nav.evaluateAll((anchors) =>
        anchors.map((a) => [a.textContent?.trim() ?? '', (a as HTMLAnchorElement).href]),
      );
      expect(links.map(([name]) => name)).toEqual([
        'Overview',
        'Failed',
        'Workers',
        'Schedules',
        'Metrics',
        // Offered to admins: anonymous is one here (unsafeAnonymousWrites).
        'Audit',
      ]);
      for (const [name, href] of links) {
        await page.goto(href!);
        await expect
          .poll(() => nav.filter({ hasText: name! }).getAttribute('aria-current'), {
            message: name,
          })
          .toBe('page');
      }
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('renders dark when the system is dark', async () => {
    const browser = await launchBrowser({ colorScheme: 'dark' });
    try {
      const { page } = browser;
      await page.goto(dashboard.url);
      await page.getByRole('link', { name: 'emails', exact: true }).waitFor();
      const background = await page
        .locator('qadmin-app')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      expect(r! + g! + b!).toBeLessThan(120);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('runs under a strict Content-Security-Policy with no request to another host', async () => {
    const browser = await launchBrowser();
    try {
      const { page, context } = browser;
      const foreign: string[] = [];
      context.on('request', (request) => {
        if (!request.url().startsWith(new URL(dashboard.url).origin)) foreign.push(request.url());
      });
      await page.route('**/*', async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        if ((headers['content-type'] ?? '').includes('text/html')) {
          headers['content-security-policy'] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
        }
        await route.fulfill({ response, headers });
      });
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(dashboard.url);
      // Every view with inline style properties: queue list, job table, job detail and JSON tree.
      await page.getByRole('link', { name: 'emails', exact: true }).click();
      await page.getByRole('tab', { name: /failed/i }).click();
      const jobLink = page.locator('qadmin-job-list').getByRole('link').first();
      await jobLink.waitFor();
      await jobLink.click();
      await page.getByRole('treeitem').first().waitFor();
      expect(violations).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await browser.page.unrouteAll({ behavior: 'ignoreErrors' });
      await browser.close();
    }
  });
});
