/**
 * Signing in for real: a server with password login (scrypt hashes, the
 * session cookie) serving the built UI, driven by Chromium. An admin signs
 * in, retries a failed job and signs out; a viewer signs in and is offered no
 * action; a wrong password is answered without saying which part was wrong.
 */
import type { MemoryBackend } from '@qadmin/backend-memory';
import { hashPassword, passwordAuth } from '@qadmin/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, launchBrowser, startDashboard } from './support';

async function seed(backend: MemoryBackend): Promise<void> {
  const emails = backend.queue('emails');
  await emails.add('send-email', { to: 'ada@example.com' }, { attempts: 1 });
  emails.process('send-email', async () => {
    throw new Error('SMTP 421: try later');
  });
  const deadline = Date.now() + 10_000;
  while (((await backend.getStats(['emails'])).emails?.counts.failed ?? 0) < 1) {
    if (Date.now() > deadline) throw new Error('the seeded job did not fail');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('signing in, in Chromium', () => {
  let dashboard: Dashboard;

  beforeAll(async () => {
    dashboard = await startDashboard(seed, '/admin/queues', {
      auth: passwordAuth({
        users: [
          { username: 'ana', passwordHash: await hashPassword('ana-password-12'), role: 'admin' },
          { username: 'vic', passwordHash: await hashPassword('vic-password-12'), role: 'viewer' },
        ],
      }),
    });
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('signs an admin in, lets them retry, and signs them out', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(`${dashboard.url}queues/memory%3Aemails?state=failed`);
      await signIn(page, 'ana', 'not-her-password');
      await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();

      await signIn(page, 'ana', 'ana-password-12');
      // Back on the page asked for, signed in.
      await page.getByRole('tab', { name: /failed/i, selected: true }).waitFor();
      await page.getByText('ana', { exact: true }).waitFor();
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'qadmin_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Lax');

      await page.locator('qadmin-job-list').getByRole('link').first().click();
      await page.getByRole('button', { name: /^retry$/i }).click();
      await page
        .getByText(/retry queued/i)
        .first()
        .waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(browser.errors.filter((e) => !/401/.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('offers a viewer no action', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(dashboard.url);
      await signIn(page, 'vic', 'vic-password-12');
      await page.getByRole('link', { name: 'emails', exact: true }).click();
      await page.getByRole('tab', { name: /failed/i }).click();
      await page.locator('qadmin-job-list').getByRole('link').first().click();
      await page
        .getByText(/SMTP 421/)
        .first()
        .waitFor();
      expect(await page.getByRole('button', { name: /^retry$/i }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /remove/i }).count()).toBe(0);
      expect(browser.errors.filter((e) => !/401/.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
