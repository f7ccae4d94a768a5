import { fileURLToPath } from 'node:url';
import { createClient, type QadminClient } from '@qadmin/client';
import { type SpawnedApp, spawnApp } from '@qadmin/test-fixtures';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('apps/demo', () => {
  let app: SpawnedApp;
  let url: string;
  let client: QadminClient;

  beforeAll(async () => {
    app = await spawnApp(main, { WORKLOAD_RATE: '4' });
    url = app.url;
    client = createClient({ baseUrl: url });
  }, 25_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('prints the dashboard URL and serves the page', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    // The real dashboard (@qadmin/ui, found by core), not the built-in API listing.
    expect(await page.text()).toContain('<qadmin-app>');
  });

  it('runs a live workload: jobs complete, fail and wait on several queues', async () => {
    await vi.waitFor(
      async () => {
        const overview = await client.overview();
        const names = overview.queues.map((q) => q.name);
        expect(names).toEqual(
          expect.arrayContaining(['emails', 'image-resize', 'webhooks', 'reports']),
        );
        const total = (state: 'completed' | 'failed') =>
          overview.queues.reduce((sum, q) => sum + (q.counts[state] ?? 0), 0);
        expect(total('completed')).toBeGreaterThan(0);
        expect(total('failed')).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 500 },
    );
    const schedules = await client.schedules('memory:reports');
    expect(schedules.map((s) => s.id)).toContain('nightly-digest');
    const workers = await client.workers();
    expect(workers.length).toBeGreaterThan(0);
  }, 40_000);

  it('stops cleanly on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
