// Saves screenshots of the main views into docs/screenshots/ (light and dark),
// from a real server over the memory backend with the demo workload.
// Run: pnpm --filter @qadmin/integration-ui-e2e screenshots (after pnpm build).
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryBackend, startDemoWorkload } from '@qadmin/backend-memory';
import { createAdmin } from '@qadmin/core';
import { qadmin } from '@qadmin/express';
import { launchBrowser } from '@qadmin/test-fixtures';
import express from 'express';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
await mkdir(out, { recursive: true });

const backend = createMemoryBackend({ label: 'in-memory' });
const stop = startDemoWorkload(backend, { rate: 6 });
const admin = createAdmin({
  backends: [backend],
  title: 'Shop queues',
  // A local demo: anyone who reaches it (127.0.0.1 by default) may change jobs, and
  // qadmin says so at start-up. In production, configure `auth` (see the security section
  // of the root README) and leave this out: without auth the dashboard is read-only.
  unsafeAnonymousWrites: true,
});
const app = express();
app.use('/admin/queues', qadmin(admin));
const server = createServer(app).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}/admin/queues/`;
// Let the workload fill every state.
await new Promise((resolve) => setTimeout(resolve, 12_000));

const views = [
  ['overview', ''],
  ['queue-failed', 'queues/memory%3Awebhooks?state=failed'],
  ['job', null],
  ['metrics', 'charts?queue=memory%3Aemails&range=1h'],
  ['schedules', 'schedules'],
  ['workers', 'workers'],
];

for (const scheme of ['light', 'dark']) {
  const { page, errors, close } = await launchBrowser({
    colorScheme: scheme,
    viewport: { width: 1280, height: 800 },
  });
  for (const [name, path] of views) {
    if (scheme === 'dark' && name !== 'overview' && name !== 'job') continue;
    if (path === null) {
      // A failed job that exists now (the workload's retention removes old ones): open it from its list.
      await page.goto(`${base}queues/memory%3Awebhooks?state=failed`);
      const first = page.locator('qadmin-job-list').getByRole('link').first();
      await first.waitFor();
      await first.click();
      await page.waitForURL(/\/jobs\//);
    } else {
      await page.goto(base + path);
    }
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.waitForTimeout(1500);
    const file = join(out, `${name}-${scheme}.png`);
    await page.screenshot({ path: file });
    console.log(`saved ${file}`);
  }
  if (errors.length > 0) console.warn(`${scheme}: the page reported\n  ${errors.join('\n  ')}`);
  await close();
}
stop();
server.closeAllConnections();
server.close();
await admin.close();
process.exit(0);
