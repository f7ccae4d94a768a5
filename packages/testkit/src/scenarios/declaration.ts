import { assertBackendId, capabilitiesSchema, type QueueBackend } from '@qadmin/core';
import { describe, expect } from 'vitest';
import { anyState, type Harness, parseOrFail } from '../harness';

/** The backend's id, kind and capabilities, and the methods its capabilities promise. */
export function declarationScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('declaration', () => {
    const backend = h.useBackend();

    h.test('has a valid id, kind and label', [], async () => {
      const b = backend();
      expect(() => assertBackendId(b.id)).not.toThrow();
      expect(typeof b.kind, 'kind is a string').toBe('string');
      expect(b.kind.length, 'kind is not empty').toBeGreaterThan(0);
      if (b.label !== undefined) expect(typeof b.label, 'label is a string').toBe('string');
    });

    h.test('declares capabilities that parse and agree with each other', [], async () => {
      const caps = parseOrFail(
        capabilitiesSchema,
        backend().capabilities,
        'capabilities do not parse',
      );
      expect(caps.states.length, 'at least one state').toBeGreaterThan(0);
      for (const key of [
        'states',
        'jobActions',
        'bulkActions',
        'retryAllStates',
        'cleanStates',
        'search',
      ] as const) {
        const list: readonly string[] = caps[key];
        expect(new Set(list).size, `capabilities.${key} has duplicates`).toBe(list.length);
      }
      for (const state of caps.retryAllStates) {
        expect(caps.states, `retryAllStates has ${state}, which states lacks`).toContain(state);
      }
      for (const state of caps.cleanStates) {
        expect(caps.states, `cleanStates has ${state}, which states lacks`).toContain(state);
      }
      if (caps.bulkActions.includes('retry-all')) {
        expect(
          caps.retryAllStates.length,
          'retry-all is declared: list retryAllStates',
        ).toBeGreaterThan(0);
      }
      if (caps.bulkActions.includes('clean')) {
        expect(caps.cleanStates.length, 'clean is declared: list cleanStates').toBeGreaterThan(0);
      }
      if (!caps.jobNames) {
        expect(
          caps.search,
          'jobs are named after their queue (jobNames: false): there is no name to search in',
        ).not.toContain('name');
      }
      if (caps.schedules.write) {
        expect(caps.schedules.read, 'schedules.write needs schedules.read').toBe(true);
      }
    });

    h.test('implements the optional method of every declared capability', [], async () => {
      const b = backend();
      const caps = h.caps;
      const needs: [boolean, keyof QueueBackend, string][] = [
        [caps.search.length > 0, 'searchJobs', 'capabilities.search is not empty'],
        [caps.logs, 'getJobLogs', 'capabilities.logs'],
        [caps.jobActions.length > 0, 'jobAction', 'capabilities.jobActions is not empty'],
        [caps.addJob, 'addJob', 'capabilities.addJob'],
        [caps.bulkActions.length > 0, 'bulkAction', 'capabilities.bulkActions is not empty'],
        [caps.workers, 'getWorkers', 'capabilities.workers'],
        [caps.schedules.read, 'listSchedules', 'capabilities.schedules.read'],
        [caps.schedules.write, 'upsertSchedule', 'capabilities.schedules.write'],
        [caps.schedules.write, 'removeSchedule', 'capabilities.schedules.write'],
        [caps.metrics, 'getMetrics', 'capabilities.metrics'],
        [caps.events, 'subscribe', 'capabilities.events'],
        [caps.audit, 'appendAudit', 'capabilities.audit'],
        [caps.audit, 'listAudit', 'capabilities.audit'],
      ];
      for (const method of ['listQueues', 'getStats', 'listJobs', 'getJob'] as const) {
        expect(typeof b[method], `${method} is required`).toBe('function');
      }
      for (const [declared, method, why] of needs) {
        if (declared) expect(typeof b[method], `${why}, so ${method} must exist`).toBe('function');
      }
    });

    h.test(
      'queueCapabilities, when present, returns undefined or valid capabilities',
      [],
      async () => {
        const b = backend();
        if (!b.queueCapabilities) return;
        const state = anyState(h.caps);
        const queue = h.queueName();
        if (state) await h.seed(b, queue, { [state]: 1 });
        const perQueue = b.queueCapabilities(queue);
        if (perQueue !== undefined) {
          const parsed = capabilitiesSchema.safeParse(perQueue);
          expect(parsed.success, `queueCapabilities(${queue}) do not parse`).toBe(true);
        }
      },
    );
  });
}
