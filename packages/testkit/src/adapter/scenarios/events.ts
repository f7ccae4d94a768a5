/**
 * Server-Sent Events: written as they happen (never buffered), and the
 * subscription released when the client leaves.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { QUEUES } from '../fixture';
import { type EventStreamClient, enc, mediaType, openEventStream, sendJson } from '../http';

/**
 * Registers the Server-Sent Events scenarios: the overview first, a live
 * action event while the stream stays open, and unsubscribing on disconnect.
 *
 * @example
 * ```ts
 * eventScenarios(ctx);
 * ```
 */
export function eventScenarios(ctx: AdapterContext): void {
  describe('events (SSE)', () => {
    ctx.test(
      'GET api/events sends the overview, then live events while the stream stays open',
      async () => {
        const { origin, mountPath, url, fixture } = ctx.shared();
        // A compression layer would hold events back until it has a block's worth.
        const stream = await openEventStream(origin, `${mountPath}/api/events`, {
          'accept-encoding': 'gzip, deflate, br',
        });
        try {
          expect(stream.status).toBe(200);
          expect(mediaType(stream.headers['content-type'])).toBe('text/event-stream');
          expect(stream.headers['content-encoding'] ?? 'identity').toBe('identity');
          expect(String(stream.headers['cache-control'])).toContain('no-cache');

          const first = await stream.waitFor(() => true, 'the first event');
          expect(first.event).toBe('overview');
          expect(JSON.parse(first.data).overview.queues.length).toBeGreaterThan(0);
          expect(fixture.admin.service.subscriberCount).toBeGreaterThan(0);

          const added = await sendJson(url(`api/queues/${enc(QUEUES.scratch)}/jobs`), {
            name: 'while-streaming',
          });
          expect(added.status).toBe(201);
          const { id } = (await added.json()) as { id: string };
          const action = await stream.waitFor(
            (e) => e.event === 'action' && JSON.parse(e.data).jobId === id,
            `the action event of job ${id}`,
          );
          expect(JSON.parse(action.data)).toMatchObject({
            type: 'action',
            queueId: QUEUES.scratch,
            action: 'add',
          });
        } finally {
          stream.close();
        }
      },
    );

    ctx.test('a client that disconnects is unsubscribed on the server', async () => {
      const { origin, mountPath, fixture } = ctx.shared();
      const { admin } = fixture;
      await ctx.expectSubscribers(admin, 0);
      const streams: EventStreamClient[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const stream = await openEventStream(origin, `${mountPath}/api/events`);
          streams.push(stream);
          await stream.waitFor((e) => e.event === 'overview', 'the overview event');
        }
        expect(admin.service.subscriberCount).toBe(2);
        streams[0]!.close();
        await ctx.expectSubscribers(admin, 1);
      } finally {
        for (const stream of streams) stream.close();
      }
      await ctx.expectSubscribers(admin, 0);
    });
  });
}
