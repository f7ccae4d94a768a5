/**
 * The first-run setup in Chromium: a dashboard whose password login has no
 * user yet shows the setup form instead of the sign-in form; a wrong code and
 * a short password are refused with a clear message; the right code creates
 * the admin (only the scrypt hash reaches the store), signs them in, and from
 * then on the page asks for a normal sign-in.
 */
import { createSetupCode, type PasswordUser, passwordAuth, verifyPassword } from '@qadmin/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, launchBrowser, startDashboard } from './support';

const PASSWORD = 'root-password-123';

async function fillSetup(
  page: Page,
  values: { code: string; username: string; password: string; repeat: string },
): Promise<void> {
  await page.getByLabel('Setup code').fill(values.code);
  await page.getByLabel('Username').fill(values.username);
  await page.getByLabel('Password', { exact: true }).fill(values.password);
  await page.getByLabel('Repeat the password').fill(values.repeat);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
}

describe('first-run setup, in Chromium', () => {
  let dashboard: Dashboard;
  const code = createSetupCode();
  const stored: PasswordUser[] = [];

  beforeAll(async () => {
    dashboard = await startDashboard(() => {}, '/admin/queues', {
      auth: passwordAuth({ users: [], setup: { code, store: (user) => void stored.push(user) } }),
    });
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  it('creates the admin with the setup code, signs them in, and asks for a sign-in afterwards', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await page.goto(dashboard.url);
      await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Views' }).count()).toBe(0);

      await fillSetup(page, {
        code: 'ABCDE-FGHJK-MNPQR-STVWX',
        username: 'root',
        password: PASSWORD,
        repeat: PASSWORD,
      });
      await page.getByRole('alert').filter({ hasText: 'Wrong setup code' }).waitFor();

      await fillSetup(page, { code, username: 'root', password: 'short', repeat: 'short' });
      await page
        .getByRole('alert')
        .filter({ hasText: 'Use at least 12 characters for the password.' })
        .waitFor();
      expect(stored).toEqual([]);

      await fillSetup(page, { code, username: 'root', password: PASSWORD, repeat: PASSWORD });
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      await page.getByText('root', { exact: true }).waitFor();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ username: 'root', role: 'admin' });
      expect(await verifyPassword(PASSWORD, stored[0]!.passwordHash)).toBe(true);
      const session = (await page.context().cookies()).find((c) => c.name === 'qadmin_session');
      expect(session?.httpOnly).toBe(true);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.getByLabel('Setup code').count()).toBe(0);
      await page.getByLabel('Username').fill('root');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();

      // The wrong code (403) and the signed-out requests (401) are expected; nothing else.
      expect(browser.errors.filter((e) => !/^(401|403) /.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
