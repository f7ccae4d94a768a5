/**
 * @qadmin/fastify against the adapter contract, once per Fastify major,
 * mounted the way the README recommends: `app.register(qadmin(admin), { prefix })`
 * next to a host route, a custom not-found handler and an error handler.
 * test/host.test.ts covers hosts with their own parsers, hooks and nesting.
 */
import { listenHarness, runAdapterContract } from '@qadmin/testkit';
import { describe, expect, it } from 'vitest';
import { qadmin } from '../src/index';
import { MAJORS, majorOf } from './majors';

for (const { expected, version, fastify } of MAJORS) {
  describe(`fastify-v${expected}`, () => {
    it(`resolves to Fastify ${expected}`, async () => {
      expect(majorOf(version)).toBe(expected);
      const app = fastify();
      expect(majorOf(app.version)).toBe(expected);
      await app.close();
    });
  });

  runAdapterContract(`fastify ${version}`, async (admin, { basePath }) => {
    const app = fastify();
    app.register(qadmin(admin), basePath ? { prefix: basePath } : {});
    app.get('/health', async () => ({ ok: true }));
    app.setNotFoundHandler((_request, reply) => {
      reply.code(404).type('text/plain').send('host app: not found');
    });
    app.setErrorHandler((error: Error, _request, reply) => {
      reply.code(500).type('text/plain').send(`host error handler: ${error.message}`);
    });
    await app.ready();
    const harness = await listenHarness(app.server, basePath);
    return {
      url: harness.url,
      async close() {
        await harness.close();
        await app.close();
      },
    };
  });
}
