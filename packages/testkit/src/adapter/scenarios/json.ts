/**
 * The JSON API and the Prometheus text, read over real HTTP.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import {
  AWKWARD_JOB_ID,
  HOSTILE_PAYLOAD,
  LOG_LINES,
  QUEUES,
  REPORTS_COUNTS,
  SCHEDULES,
  WORKER_ID,
} from '../fixture';
import { enc, getJson, mediaType } from '../http';

/**
 * Registers the JSON API scenarios: overview, queue, job pages, job detail
 * (hostile payload), encoded ids, logs, workers, schedules, metrics, health,
 * the OpenAPI document and the Prometheus text.
 *
 * @example
 * ```ts
 * jsonScenarios(ctx);
 * ```
 */
export function jsonScenarios(ctx: AdapterContext): void {
  describe('JSON API', () => {
    ctx.test('GET api/overview lists the seeded queues with their counts', async () => {
      const { url } = ctx.shared();
      const overview = await getJson(url('api/overview'));
      const ids = overview.queues.map((q: { id: string }) => q.id);
      expect(ids).toEqual(expect.arrayContaining(Object.values(QUEUES)));
      const reports = overview.queues.find((q: { id: string }) => q.id === QUEUES.reports);
      expect(reports.counts).toMatchObject(REPORTS_COUNTS);
      expect(overview.backends).toEqual([expect.objectContaining({ id: 'memory', ok: true })]);
    });

    ctx.test('GET api/queues/{id} answers with the encoded and the plain queue id', async () => {
      const { url } = ctx.shared();
      const encoded = await getJson(url(`api/queues/${enc(QUEUES.reports)}`));
      expect(encoded).toMatchObject({ id: QUEUES.reports, counts: REPORTS_COUNTS });
      expect(encoded.capabilities.states).toContain('failed');
      const plain = await getJson(url(`api/queues/${QUEUES.reports}`));
      expect(plain.id).toBe(QUEUES.reports);
    });

    ctx.test('GET a jobs page passes the query string through, cursor included', async () => {
      const { url, fixture } = ctx.shared();
      const page = `api/queues/${enc(QUEUES.emails)}/jobs?state=completed&order=oldest&limit=1`;
      const first = await getJson(url(page));
      expect(first).toMatchObject({ queueId: QUEUES.emails, state: 'completed', total: 2 });
      expect(first.jobs.map((j: { id: string }) => j.id)).toEqual([fixture.ids.completed[0]]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await getJson(url(`${page}&cursor=${enc(first.nextCursor)}`));
      expect(second.jobs.map((j: { id: string }) => j.id)).toEqual([fixture.ids.completed[1]]);
    });

    ctx.test('GET a job returns the hostile payload byte for byte', async () => {
      const { url, fixture } = ctx.shared();
      const response = await fetch(
        url(`api/queues/${enc(QUEUES.emails)}/jobs/${enc(fixture.ids.hostile)}`),
      );
      expect(response.status).toBe(200);
      expect(mediaType(response.headers.get('content-type'))).toBe('application/json');
      const bytes = new Uint8Array(await response.arrayBuffer());
      const length = response.headers.get('content-length');
      if (length !== null) expect(Number(length)).toBe(bytes.byteLength);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      expect(text.includes(JSON.stringify(HOSTILE_PAYLOAD))).toBe(true);
      const job = JSON.parse(text);
      expect(job).toMatchObject({ id: fixture.ids.hostile, queueId: QUEUES.emails });
      expect(job.data).toStrictEqual(HOSTILE_PAYLOAD);
    });

    ctx.test(
      'GET a job whose id holds / # ? space and non-ASCII, encoded in one segment',
      async () => {
        const { url } = ctx.shared();
        const job = await getJson(
          url(`api/queues/${enc(QUEUES.emails)}/jobs/${enc(AWKWARD_JOB_ID)}`),
        );
        expect(job).toMatchObject({ id: AWKWARD_JOB_ID, state: 'waiting' });
      },
    );

    ctx.test("GET a job's logs", async () => {
      const { url, fixture } = ctx.shared();
      const logs = await getJson(
        url(
          `api/queues/${enc(QUEUES.emails)}/jobs/${enc(fixture.ids.failedWithLogs)}/logs?limit=10`,
        ),
      );
      expect(logs.lines.map((l: { message: string }) => l.message)).toEqual(LOG_LINES);
      expect(logs.total).toBe(LOG_LINES.length);
    });

    ctx.test('GET api/workers and the workers of one queue', async () => {
      const { url } = ctx.shared();
      const all = await getJson(url('api/workers'));
      expect(all).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: WORKER_ID, queueIds: [QUEUES.emails] }),
        ]),
      );
      const ofQueue = await getJson(url(`api/queues/${enc(QUEUES.emails)}/workers`));
      expect(ofQueue.map((w: { id: string }) => w.id)).toContain(WORKER_ID);
    });

    ctx.test('GET the schedules of a queue', async () => {
      const { url } = ctx.shared();
      const schedules = await getJson(url(`api/queues/${enc(QUEUES.reports)}/schedules`));
      expect(schedules).toEqual([
        expect.objectContaining({ id: SCHEDULES.kept, jobName: 'build' }),
      ]);
    });

    ctx.test('GET the metrics of a queue', async () => {
      const { url } = ctx.shared();
      const metrics = await getJson(url(`api/queues/${enc(QUEUES.emails)}/metrics?range=1h`));
      expect(metrics).toMatchObject({ queueId: QUEUES.emails, range: '1h' });
    });

    ctx.test('GET api/health', async () => {
      const { url } = ctx.shared();
      expect(await getJson(url('api/health'))).toMatchObject({ status: 'ok' });
    });

    ctx.test('GET api/openapi.json names the mount path as its server', async () => {
      const { url } = ctx.shared();
      const document = await getJson(url('api/openapi.json'));
      expect(document.openapi).toMatch(/^3\.1\./);
      expect(document.servers).toEqual([{ url: ctx.basePath || '/' }]);
      expect(Object.keys(document.paths)).toContain('/api/overview');
    });

    ctx.test('GET metrics answers Prometheus text format 0.0.4', async () => {
      const { url } = ctx.shared();
      const response = await fetch(url('metrics'));
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain;\s*version=0\.0\.4\b/);
      expect(text).toContain(
        `qadmin_queue_jobs{backend="memory",queue="reports",state="waiting"} ${REPORTS_COUNTS.waiting}`,
      );
      expect(text).toContain('qadmin_backend_up{backend="memory"} 1');
    });
  });
}
