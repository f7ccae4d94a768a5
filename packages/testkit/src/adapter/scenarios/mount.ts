/**
 * Under a prefix, the dashboard answers below its mount path and nowhere else.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { INDEX_MARKER, QUEUES } from '../fixture';
import { rawRequest } from '../http';

/**
 * Registers the mount isolation scenario (only under a prefix): paths
 * outside the mount path, including look-alike prefixes, reach the host app.
 *
 * @example
 * ```ts
 * mountScenarios(ctx); // registers nothing when ctx.basePath is ''
 * ```
 */
export function mountScenarios(ctx: AdapterContext): void {
  if (ctx.basePath === '') return;
  describe('mount isolation', () => {
    ctx.test('requests outside the mount path are left to the host app', async () => {
      const { origin, mountPath } = ctx.shared();
      const parent = mountPath.slice(0, mountPath.lastIndexOf('/'));
      const outside = [
        '/api/overview',
        '/',
        '/index.html',
        `${mountPath}x/api/overview`,
        `${mountPath}-other/`,
        `${parent}/api/overview`,
      ];
      for (const path of outside) {
        const response = await rawRequest(origin, path, {
          headers: { accept: 'text/html,application/json' },
        });
        const text = response.body.toString('utf8');
        expect(text, `${path} was answered by the dashboard`).not.toContain(QUEUES.emails);
        expect(text, `${path} was answered by the dashboard`).not.toContain(INDEX_MARKER);
        expect(
          String(response.headers['content-type'] ?? ''),
          `${path} was answered by the dashboard`,
        ).not.toMatch(/^application\/problem\+json/);
      }
    });
  });
}
