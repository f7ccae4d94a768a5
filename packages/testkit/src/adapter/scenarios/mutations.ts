/**
 * Mutations: JSON request bodies in, effects visible through later reads.
 */
import { describe, expect } from 'vitest';
import type { AdapterContext } from '../context';
import { HOSTILE_PAYLOAD, QUEUES, SCHEDULES } from '../fixture';
import { CSRF_HEADER, enc, expectJson, getJson, sendJson } from '../http';

/**
 * Registers the mutation scenarios: a job action, adding a job with a large
 * multi-byte body, a bulk clean, creating and deleting a schedule.
 *
 * @example
 * ```ts
 * mutationScenarios(ctx);
 * ```
 */
export function mutationScenarios(ctx: AdapterContext): void {
  describe('mutations', () => {
    ctx.test('POST a job action (retry a failed job) answers 200 and the job moves', async () => {
      const { url, fixture } = ctx.shared();
      const job = `api/queues/${enc(QUEUES.emails)}/jobs/${enc(fixture.ids.failedToRetry)}`;
      const result = await expectJson(
        await sendJson(url(`${job}/actions`), { type: 'retry' }),
        200,
      );
      expect(result.job).toMatchObject({ id: fixture.ids.failedToRetry, state: 'waiting' });
      expect((await getJson(url(job))).state).toBe('waiting');
    });

    ctx.test('POST a job answers 201; its 300 KB multi-byte body arrives intact', async () => {
      const { url } = ctx.shared();
      const jobs = `api/queues/${enc(QUEUES.scratch)}/jobs`;
      const created = await expectJson(
        await sendJson(
          url(jobs),
          { name: 'from-contract', data: HOSTILE_PAYLOAD },
          'POST',
          'application/json; charset=utf-8',
        ),
        201,
      );
      expect(created).toMatchObject({ name: 'from-contract', queueId: QUEUES.scratch });
      const stored = await getJson(url(`${jobs}/${enc(created.id)}`));
      expect(stored.data).toStrictEqual(HOSTILE_PAYLOAD);
    });

    ctx.test('POST a bulk clean answers how many jobs it removed', async () => {
      const { url } = ctx.shared();
      const queue = `api/queues/${enc(QUEUES.scratch)}`;
      const result = await expectJson(
        await sendJson(url(`${queue}/actions`), { type: 'clean', state: 'completed' }),
        200,
      );
      expect(result).toMatchObject({ affected: 2 });
      const page = await getJson(url(`${queue}/jobs?state=completed`));
      expect(page.jobs).toEqual([]);
    });

    ctx.test('POST a schedule creates it', async () => {
      const { url } = ctx.shared();
      const schedules = `api/queues/${enc(QUEUES.scratch)}/schedules`;
      const input = { id: 'from-contract', jobName: 'tmp', pattern: '0 0 1 1 *' };
      const schedule = await expectJson(await sendJson(url(schedules), input), 200);
      expect(schedule).toMatchObject(input);
      const listed = await getJson(url(schedules));
      expect(listed.map((s: { id: string }) => s.id)).toContain('from-contract');
    });

    ctx.test('DELETE a schedule answers 204 without a body', async () => {
      const { url } = ctx.shared();
      const schedules = `api/queues/${enc(QUEUES.emails)}/schedules`;
      const response = await fetch(url(`${schedules}/${enc(SCHEDULES.removable)}`), {
        method: 'DELETE',
        headers: CSRF_HEADER,
      });
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      const listed = await getJson(url(schedules));
      expect(listed.map((s: { id: string }) => s.id)).not.toContain(SCHEDULES.removable);
    });
  });
}
