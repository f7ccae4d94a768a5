/**
 * Shutdown with an event stream open: neither side may hang. Each test
 * mounts a fixture of its own, since it stops it.
 */
import { describe } from 'vitest';
import type { AdapterContext } from '../context';
import { openEventStream, within } from '../http';

/**
 * Registers the shutdown scenarios, each on a fixture and harness of its
 * own: `harness.close()` with a stream open, and a stream the dashboard ends.
 *
 * @example
 * ```ts
 * lifecycleScenarios(ctx);
 * ```
 */
export function lifecycleScenarios(ctx: AdapterContext): void {
  describe('lifecycle', () => {
    ctx.test('harness.close() resolves while an event stream is open', async () => {
      const mounted = await ctx.mount();
      try {
        const stream = await openEventStream(mounted.origin, `${mounted.mountPath}/api/events`);
        try {
          await stream.waitFor((e) => e.event === 'overview', 'the overview event');
          await within(
            mounted.harness.close(),
            ctx.timeoutMs / 3,
            'harness.close() did not resolve while an event stream was open',
          );
          await within(
            stream.ended,
            ctx.timeoutMs / 3,
            'the event stream stayed open after close()',
          );
        } finally {
          stream.close();
        }
        await ctx.expectSubscribers(mounted.fixture.admin, 0);
      } finally {
        await mounted.fixture.dispose();
      }
    });

    ctx.test('an event stream ends when the dashboard closes it', async () => {
      const mounted = await ctx.mount();
      try {
        const stream = await openEventStream(mounted.origin, `${mounted.mountPath}/api/events`);
        try {
          await stream.waitFor((e) => e.event === 'overview', 'the overview event');
          await mounted.fixture.admin.close();
          await within(
            stream.ended,
            ctx.timeoutMs / 3,
            'the response stayed open after its event stream ended (admin.close())',
          );
        } finally {
          stream.close();
        }
      } finally {
        await mounted.dispose();
      }
    });
  });
}
