import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createMemoryBackend, type MemoryBackend } from '@qadmin/backend-memory';
import { type AccessOptions, createAdmin, type QadminApp } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import { type AdapterHarness, listenHarness } from '@qadmin/testkit';
import express from 'express';

/** The built dashboard of the installed @qadmin/ui (its build writes it). */
export const UI_DIR = join(
  dirname(createRequire(import.meta.url).resolve('@qadmin/ui/package.json')),
  'dist',
  'app',
);

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
  access: AccessOptions = {
    // The UI end to end, its actions included; login has a test of its own (login.test.ts).
    unsafeAnonymousWrites: true,
  },
): Promise<Dashboard> {
  const backend = createMemoryBackend({ label: 'in-memory' });
  await seed(backend);
  const admin = createAdmin({
    backends: [backend],
    uiDir: UI_DIR,
    title: 'Shop queues',
    refreshIntervalMs: 500,
    warn: () => {},
    ...access,
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

export { launchBrowser } from '@qadmin/test-fixtures';
