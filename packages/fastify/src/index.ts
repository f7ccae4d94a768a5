// For whoever writes the next adapter: import only from @qadmin/core, and only translate.
/**
 * `@qadmin/fastify`: the qadmin dashboard (JSON API, UI, live events) as an
 * encapsulated Fastify 4 or 5 plugin.
 */
import {
  fromNodeRequest,
  normalizeBasePath,
  type QadminApp,
  stripBasePath,
  toNodeResponse,
} from '@qadmin/core';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';

/** True for what the catch-all parser below hands on: the (maybe preParsing-wrapped) payload stream. */
function isStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * Matches the mount point as the browser spelled it: as many path segments
 * as `prefix` has. The router may have matched a `:param` in the prefix,
 * another letter case or duplicate slashes, so the prefix itself is no guide.
 */
function mountPattern(prefix: string): RegExp {
  const segments = normalizeBasePath(prefix).split('/').length - 1;
  return new RegExp(`^(?:/+[^/]+){${segments}}`);
}

/**
 * The dashboard as a Fastify plugin: register it with a `prefix`, at any
 * depth (`/tenant/queues` inside a plugin registered at `/tenant`, or a
 * prefix with a `:param`). It is deliberately not wrapped in
 * `fastify-plugin`: what it sets up stays in its own context. There it drops
 * the content-type parsers it inherited and hands every request body to
 * core as a stream, so core reads, size-limits and validates the dashboard's
 * bodies whatever parsers (and limits) the host registered for its own
 * routes. The host's hooks still run for the dashboard (`onRequest` for
 * auth, `onSend` sees every response), and errors core cannot answer go to
 * the host's error handler. `app.close()` does not wait for open event
 * streams: the plugin ends them first. It does not close `admin`; an
 * `onClose` hook can.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createAdmin } from '@qadmin/core';
 * import { qadmin } from '@qadmin/fastify';
 *
 * const admin = createAdmin({ backends: [backend] });
 * const app = Fastify();
 * app.register(qadmin(admin), { prefix: '/admin/queues' });
 * app.addHook('onClose', () => admin.close());
 * await app.listen({ port: 3000 });
 * ```
 */
export function qadmin(admin: QadminApp): FastifyPluginCallback {
  return function qadminPlugin(instance, _options, done) {
    // Core reads, size-limits and validates the dashboard's bodies: the host's parsers stay the host's.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, parsed) => {
      parsed(null, payload);
    });

    const mount = mountPattern(instance.prefix);
    // app.close() waits for open connections, and an event stream never ends by itself: drop
    // them first (a clean end would leave the connection open for keep-alive, still waited for).
    const streaming = new Set<FastifyReply['raw']>();
    instance.addHook('preClose', (closed) => {
      for (const res of streaming) res.destroy();
      closed();
    });

    async function handler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const target = request.url;
      const queryAt = target.indexOf('?');
      const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
      const basePath = mount.exec(pathname)?.[0] ?? pathname;
      const path = stripBasePath(pathname, basePath) ?? '/';
      const neutral = fromNodeRequest(request.raw, reply.raw, {
        url: queryAt === -1 ? path : `${path}${target.slice(queryAt)}`,
        basePath,
      });
      // The payload after the host's preParsing hooks (a decompressor, say), not the raw socket.
      if (isStream(request.body)) neutral.body = request.body;
      const { status, headers, body } = toNodeResponse(await admin.handle(neutral));
      const res = reply.raw;
      if (typeof body === 'object' && !Buffer.isBuffer(body) && !res.destroyed) {
        // Fastify pipes the stream, and destroys it when the response closes.
        streaming.add(res);
        res.once('close', () => streaming.delete(res));
      }
      return reply.code(status).headers(headers).send(body);
    }

    instance.all('/', handler);
    instance.all('/*', handler);
    done();
  };
}
