/**
 * Failures: every one is an RFC 9457 problem with the right status, the
 * field at fault, and no stack trace.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { QUEUES } from '../fixture';
import { expectNoStackTrace, expectProblem, mediaType, rawRequest, sendJson } from '../http';

const enc = encodeURIComponent;

/** Larger than the default 1 MiB body limit. */
const OVERSIZED_BYTES = 1_200_000;

/**
 * Registers the problem scenarios: 404 for an unknown queue and an unknown
 * API route, 400 naming `query.limit` and `body`, 415, 413 (declared and
 * chunked), 405 with `Allow`; every body is problem+json without a stack trace.
 *
 * @example
 * ```ts
 * problemScenarios(ctx);
 * ```
 */
export function problemScenarios(ctx: AdapterContext): void {
  describe('problems', () => {
    ctx.test('an unknown queue is a 404 problem', async () => {
      const { url } = ctx.shared();
      const problem = await expectProblem(
        await fetch(url(`api/queues/${enc('memory:nope')}`)),
        404,
      );
      expect(problem.detail).toContain('memory:nope');
    });

    ctx.test('an invalid query (limit=0) is a 400 naming query.limit', async () => {
      const { url } = ctx.shared();
      const response = await fetch(
        url(`api/queues/${enc(QUEUES.emails)}/jobs?state=waiting&limit=0`),
      );
      await expectProblem(response, 400, 'query.limit');
    });

    ctx.test('a malformed JSON body is a 400 naming body', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url(`api/queues/${enc(QUEUES.scratch)}/jobs`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": "broken", "data": ',
      });
      await expectProblem(response, 400, 'body');
    });

    ctx.test('a body that is not JSON is a 415', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url(`api/queues/${enc(QUEUES.scratch)}/jobs`), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'name=plain',
      });
      await expectProblem(response, 415, 'body');
    });

    ctx.test('a body over 1 MiB is a 413 (with a content-length)', async () => {
      const { origin, mountPath } = ctx.shared();
      const body = JSON.stringify({ name: 'big', data: 'x'.repeat(OVERSIZED_BYTES) });
      const response = await rawRequest(
        origin,
        `${mountPath}/api/queues/${enc(QUEUES.scratch)}/jobs`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
          body,
        },
      );
      expectRawProblem(response, 413);
    });

    ctx.test('a body over 1 MiB is a 413 (chunked, no content-length)', async () => {
      const { origin, mountPath } = ctx.shared();
      const body = JSON.stringify({ name: 'big', data: 'x'.repeat(OVERSIZED_BYTES) });
      const response = await rawRequest(
        origin,
        `${mountPath}/api/queues/${enc(QUEUES.scratch)}/jobs`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          body,
        },
      );
      expectRawProblem(response, 413);
    });

    ctx.test('a method a route does not answer is a 405 with Allow', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url('api/overview'), { method: 'DELETE' });
      await expectProblem(response, 405);
      expect(allowed(response.headers.get('allow'))).toEqual(['GET', 'HEAD']);

      const jobs = await sendJson(url(`api/queues/${enc(QUEUES.emails)}/jobs`), {}, 'PUT');
      await expectProblem(jobs, 405);
      expect(allowed(jobs.headers.get('allow'))).toEqual(['GET', 'HEAD', 'POST']);
    });

    ctx.test('an unknown API route is a 404 problem, for GET and POST', async () => {
      const { url } = ctx.shared();
      const problem = await expectProblem(await fetch(url('api/nope')), 404);
      // The instance is the path as the browser sent it: the adapter gave core the right split.
      expect(problem.instance).toBe(`${ctx.basePath}/api/nope`);
      await expectProblem(await sendJson(url('api/nope/deeper'), {}), 404);
    });
  });
}

function allowed(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean)
    .sort();
}

function expectRawProblem(
  response: { status: number; headers: Record<string, unknown>; body: Buffer },
  status: number,
): void {
  const text = response.body.toString('utf8');
  expect(response.status, `expected ${status}, body: ${text.slice(0, 300)}`).toBe(status);
  expect(mediaType(String(response.headers['content-type'] ?? ''))).toBe(
    'application/problem+json',
  );
  expectNoStackTrace(text);
  expect(JSON.parse(text)).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
}
