/**
 * HEAD is answered by every GET route, with the GET's headers and no body.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { HASHED_ASSET } from '../fixture';
import { mediaType, rawRequest } from '../http';

/**
 * Registers the HEAD scenarios: a GET API route, the event stream and a UI
 * file answer HEAD with their headers and no body.
 *
 * @example
 * ```ts
 * headScenarios(ctx);
 * ```
 */
export function headScenarios(ctx: AdapterContext): void {
  describe('HEAD', () => {
    ctx.test('HEAD on a GET API route answers 200 with its headers and no body', async () => {
      const { origin, mountPath } = ctx.shared();
      const response = await rawRequest(origin, `${mountPath}/api/overview`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(mediaType(response.headers['content-type'])).toBe('application/json');
      expect(response.body.byteLength).toBe(0);
    });

    ctx.test('HEAD on api/events answers at once, without a body or a subscriber', async () => {
      const { origin, mountPath, fixture } = ctx.shared();
      const response = await rawRequest(origin, `${mountPath}/api/events`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(mediaType(response.headers['content-type'])).toBe('text/event-stream');
      expect(response.body.byteLength).toBe(0);
      await ctx.expectSubscribers(fixture.admin, 0);
    });

    ctx.test('HEAD on a UI file answers 200 with its headers and no body', async () => {
      const { origin, mountPath } = ctx.shared();
      const response = await rawRequest(origin, `${mountPath}/${HASHED_ASSET}`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(mediaType(response.headers['content-type'])).toBe('text/javascript');
      expect(response.headers.etag).toEqual(expect.any(String));
      expect(response.body.byteLength).toBe(0);
    });
  });
}
