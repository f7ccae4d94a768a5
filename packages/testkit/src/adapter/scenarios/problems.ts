/**
 * Failures: every one is an RFC 9457 problem with the right status, the
 * field at fault, and no stack trace.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { QUEUES } from '../fixture';
import { CSRF_HEADER, enc, expectProblem, expectRawProblem, rawRequest, sendJson } from '../http';

const SCRATCH_JOBS = `api/queues/${enc(QUEUES.scratch)}/jobs`;

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
  /** POSTs `body` as it is to the jobs of the scratch queue. */
  const postJob = (contentType: string, body: string) =>
    fetch(ctx.shared().url(SCRATCH_JOBS), {
      method: 'POST',
      headers: { 'content-type': contentType, ...CSRF_HEADER },
      body,
    });

  /** POSTs a job too large to accept, framed by `headers`, over raw HTTP. */
  const postOversized = (headers: (body: string) => Record<string, string>) => {
    const { origin, mountPath } = ctx.shared();
    const body = JSON.stringify({ name: 'big', data: 'x'.repeat(OVERSIZED_BYTES) });
    return rawRequest(origin, `${mountPath}/${SCRATCH_JOBS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...CSRF_HEADER, ...headers(body) },
      body,
    });
  };

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
      const response = await postJob('application/json', '{"name": "broken", "data": ');
      await expectProblem(response, 400, 'body');
    });

    ctx.test('a body that is not JSON is a 415', async () => {
      await expectProblem(await postJob('text/plain', 'name=plain'), 415, 'body');
    });

    ctx.test('a body over 1 MiB is a 413 (with a content-length)', async () => {
      const response = await postOversized((body) => ({
        'content-length': String(Buffer.byteLength(body)),
      }));
      expectRawProblem(response, 413);
    });

    ctx.test('a body over 1 MiB is a 413 (chunked, no content-length)', async () => {
      const response = await postOversized(() => ({ 'transfer-encoding': 'chunked' }));
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

    ctx.test('a change from another site is refused with 403, whatever it carries', async () => {
      const { url } = ctx.shared();
      // The adapter hands core the request's headers as they came: Origin and Sec-Fetch-Site.
      const crossSite = await fetch(url(SCRATCH_JOBS), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...CSRF_HEADER,
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
        },
        body: JSON.stringify({ name: 'from-elsewhere' }),
      });
      const problem = await expectProblem(crossSite, 403);
      expect(problem.type).toMatch(/cross-site$/);
      // A form post cannot set the CSRF header: refused too.
      const form = await fetch(url(SCRATCH_JOBS), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'from-a-form' }),
      });
      expect((await expectProblem(form, 403)).type).toMatch(/cross-site$/);
    });

    ctx.test("every answer carries core's security headers through the adapter", async () => {
      const { url } = ctx.shared();
      for (const path of ['api/overview', 'api/nope', '']) {
        const response = await fetch(url(path));
        await response.arrayBuffer();
        expect(response.headers.get('content-security-policy'), path).toContain(
          "script-src 'self'",
        );
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      }
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
