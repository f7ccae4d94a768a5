/**
 * Not a test but a type check, compiled twice by `pnpm typecheck`: against
 * Fastify 5's types (tsconfig.json) and Fastify 4's (tsconfig.fastify4.json
 * maps `fastify` to `fastify-v4`), so the plugin's published types fit a
 * host app of either major, as a user on Fastify 4 compiles them.
 */
import type { QadminApp } from '@qadmin/core';
import Fastify from 'fastify';
import { qadmin } from '../src/index';

export function registerAtPrefix(admin: QadminApp) {
  const app = Fastify();
  app.register(qadmin(admin), { prefix: '/admin/queues' });
  app.addHook('onClose', () => admin.close());
  app.register(
    async (tenant) => {
      tenant.register(qadmin(admin), { prefix: '/queues' });
    },
    { prefix: '/tenants/:tenant' },
  );
  return app;
}
