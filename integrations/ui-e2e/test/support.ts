import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import { type AdapterHarness, listenHarness } from '@qadmin/testkit';
import express from 'express';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** The built dashboard of the installed @qadmin/ui (its build writes it). */
export const UI_DIR = join(
  dirname(createRequire(import.meta.url).resolve('@qadmin/ui/package.json')),
  'dist',
  'app',
);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A real server: Express + @qadmin/express + the memory backend, serving the built UI. */
export interface Dashboard {
  url: string;
  backend: MemoryBackend;
  admin: QadminApp;
  close(): Promise<void>;
}

export async function startDashboard(
  seed: (backend: MemoryBackend) => Promise<void> | void,
  mount = '/admin/queues',
): Promise<Dashboard> {
  const backend = createMemoryBackend({ label: 'in-memory' });
  await seed(backend);
  const admin = createAdmin({
    backends: [backend],
    uiDir: UI_DIR,
    title: 'Shop queues',
    refreshIntervalMs: 500,
  });
  const app = express();
  app.use(mount, qadmin(admin));
  const harness: AdapterHarness = await listenHarness(createServer(app), mount);
  return {
    url: `${harness.url}/`,
    backend,
    admin,
    async close() {
      await harness.close();
      await admin.close();
    },
  };
}

/** Chromium (Debian's package) through playwright-core, in a fresh profile. */
export async function launchBrowser(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}> {
  const profile = await mkdtemp(join(tmpdir(), 'qadmin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1280, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Failed loads are reported below with their URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
