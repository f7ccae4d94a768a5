import { QadminApiError } from '@qadmin/client';
import type { JobLogLine, JobState } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeApi, fakeJob, fakeQueue } from '../../test-support/fake-api';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJsonView } from '../json-view/json-view';
import { type JobActionDetail, QadminJobDetail } from './job-detail';

if (!customElements.get('qadmin-job-detail'))
  customElements.define('qadmin-job-detail', QadminJobDetail);
if (!customElements.get('qadmin-json-view'))
  customElements.define('qadmin-json-view', QadminJsonView);
if (!customElements.get('qadmin-confirm')) customElements.define('qadmin-confirm', QadminConfirm);

async function mount(fake: FakeApi = createFakeApi(), jobId = '1') {
  const el = document.createElement('qadmin-job-detail');
  el.api = fake.api;
  el.queueId = 'memory:emails';
  el.jobId = jobId;
  document.body.append(el);
  await vi.waitFor(() => expect(el.shadowRoot!.querySelector('h1 .badge, .empty')).not.toBeNull());
  await el.updateComplete;
  return { el, ...fake };
}

const $ = <T extends Element = HTMLElement>(el: QadminJobDetail, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector);
const text = (node: Element | null | undefined) =>
  node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const actions = (el: QadminJobDetail) =>
  [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part=toolbar] button')].map(
    (b) => b.dataset.action,
  );
const button = (el: QadminJobDetail, action: string) =>
  $<HTMLButtonElement>(el, `button[data-action="${action}"]`)!;

function problem(status: number, title: string, detail: string) {
  return new QadminApiError({
    type: `https://qadmin.dev/problems/${status}`,
    title,
    status,
    detail,
  });
}

describe('qadmin-job-detail', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('shows the job: header, facts, timeline, failure with stack traces, data, logs', async () => {
    const { el } = await mount(
      createFakeApi({
        getJob: async (queueId, jobId) =>
          fakeJob({
            queueId,
            id: jobId,
            stacktrace: ['Error: first\n    at a (x.js:1:1)', 'Error: second\n    at b (y.js:2:2)'],
          }),
      }),
    );
    expect(text($(el, 'h1'))).toBe('send-email 1 failed');
    const queueLink = [...el.shadowRoot!.querySelectorAll('nav a')].find(
      (a) => a.textContent === 'emails',
    )!;
    expect(queueLink.getAttribute('href')).toMatch(/\/queues\/memory%3Aemails$/);
    const facts = [...el.shadowRoot!.querySelectorAll('.facts > div')].map((d) => [
      text(d.querySelector('dt')),
      text(d.querySelector('dd')),
    ]);
    expect(facts).toEqual([
      ['Attempts', '3 / 3'],
      ['Priority', '—'],
      ['Delay', '—'],
      ['Worker', 'mailer-1'],
    ]);

    const steps = [...el.shadowRoot!.querySelectorAll('.timeline li')].map((li) =>
      text(li.querySelector('.step')),
    );
    expect(steps).toEqual(['Created', 'Processed', 'Failed']);
    expect(text($(el, '.timeline'))).toContain('waited 10 s');
    expect(text($(el, '.timeline'))).toContain('ran 10 s');
    expect($(el, '.timeline time')!.getAttribute('datetime')).toBe('2026-11-25T11:59:00.000Z');

    expect(text($(el, '.failure .reason'))).toBe('SMTP 421: try again later');
    const traces = [...el.shadowRoot!.querySelectorAll('.failure details')] as HTMLDetailsElement[];
    expect(traces.map((d) => d.open)).toEqual([true, false]);
    expect(traces[0]!.querySelector('pre')!.textContent).toBe('Error: first\n    at a (x.js:1:1)');

    const data = $<QadminJsonView>(el, 'qadmin-json-view[label="Job data"]')!;
    expect(data.value).toEqual({ to: 'ada@example.com', subject: 'Welcome' });
    await data.updateComplete;
    expect(text(data.shadowRoot!.querySelector('[role=treeitem]'))).toBe('to: "ada@example.com"');

    await vi.waitFor(() => expect(text($(el, '.logs tbody'))).toContain('connecting to smtp'));
    await expectAccessible(el);
  });

  it('pages the logs: the newest at the bottom, earlier lines on "load more"', async () => {
    const all: JobLogLine[] = Array.from({ length: 250 }, (_, i) => ({
      timestamp: Date.UTC(2026, 10, 25, 12) + i,
      message: `line ${i + 1}`,
    }));
    const fake = createFakeApi({
      getJobLogs: async (_q, _j, page = {}) => {
        const offset = page.offset ?? 0;
        return { lines: all.slice(offset, offset + (page.limit ?? 100)), total: all.length };
      },
    });
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.querySelectorAll('.logs tbody tr')).toHaveLength(100),
    );
    const rows = () => [...el.shadowRoot!.querySelectorAll('.logs tbody tr')];
    expect(text(rows()[0]!.querySelector('.message'))).toBe('line 151');
    expect(text(rows().at(-1)!.querySelector('.message'))).toBe('line 250');
    expect(callsOf('getJobLogs').map((args) => args[2])).toEqual([
      { offset: 0, limit: 100 },
      { offset: 150, limit: 100 },
    ]);
    const more = () => $<HTMLButtonElement>(el, '.logs button.more');
    expect(text(more())).toContain('Load more');
    more()!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(200));
    expect(text(rows()[0]!.querySelector('.message'))).toBe('line 51');
    more()!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(250));
    expect(
      callsOf('getJobLogs')
        .map((args) => args[2])
        .slice(2),
    ).toEqual([
      { offset: 50, limit: 100 },
      { offset: 0, limit: 50 },
    ]);
    expect(more()).toBeNull();
    expect(text(rows()[0]!.querySelector('td'))).toBe('1');
  });

  it('retries the job and shows the outcome', async () => {
    const { el, callsOf } = await mount();
    const events: JobActionDetail[] = [];
    document.addEventListener('qadmin-job-action', (e) => events.push(e.detail), { once: true });
    expect(actions(el)).toEqual(['retry', 'update-data', 'duplicate', 'remove']);
    button(el, 'retry').click();
    await vi.waitFor(() =>
      expect(text($(el, '[role=status]'))).toBe('Retry queued. The job is now waiting.'),
    );
    expect(callsOf('jobAction')).toEqual([['memory:emails', '1', { type: 'retry' }]]);
    expect(text($(el, 'h1 .badge'))).toBe('waiting');
    expect(events).toEqual([{ queueId: 'memory:emails', jobId: '1', action: 'retry', ok: true }]);
    // In the new state, other actions apply.
    expect(actions(el)).not.toContain('retry');
  });

  it('shows why an action failed and stays usable', async () => {
    const fake = createFakeApi({
      jobAction: async () => {
        throw problem(
          409,
          'Conflict',
          'Job 1 is active: only failed or completed jobs can be retried',
        );
      },
    });
    const { el } = await mount(fake);
    const events: JobActionDetail[] = [];
    document.addEventListener('qadmin-job-action', (e) => events.push(e.detail), { once: true });
    button(el, 'retry').click();
    await vi.waitFor(() =>
      expect(text($(el, '[role=alert]'))).toContain(
        'Retrying failed: Conflict: Job 1 is active: only failed or completed jobs can be retried',
      ),
    );
    expect(button(el, 'retry').disabled).toBe(false);
    expect(text($(el, 'h1 .badge'))).toBe('failed');
    expect(events).toEqual([{ queueId: 'memory:emails', jobId: '1', action: 'retry', ok: false }]);
    $<HTMLButtonElement>(el, '[role=alert] button')!.click();
    await el.updateComplete;
    expect($(el, '[role=alert]')).toBeNull();
  });

  it('offers no action when the queue is read-only', async () => {
    const { el } = await mount(
      createFakeApi({ queue: async (id) => fakeQueue({ id, readOnly: true }) }),
    );
    await vi.waitFor(() => expect($(el, '.logs')).not.toBeNull());
    expect($(el, '[part=toolbar]')).toBeNull();
    expect(el.shadowRoot!.querySelectorAll('button[data-action]')).toHaveLength(0);
  });

  it('hides the logs when the backend has none', async () => {
    const fake = createFakeApi({
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return { ...queue, capabilities: { ...queue.capabilities, logs: false } };
      },
    });
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() => expect($(el, '[part=toolbar]')).not.toBeNull());
    expect($(el, '.logs')).toBeNull();
    expect(callsOf('getJobLogs')).toEqual([]);
  });

  it('says when the job does not exist, with a way back to the queue', async () => {
    const fake = createFakeApi({
      getJob: async (_q, jobId) => {
        throw problem(404, 'Not found', `No job ${jobId}`);
      },
    });
    const { el } = await mount(fake, 'gone');
    expect(text($(el, '.empty h2'))).toBe('Job not found (maybe removed)');
    expect(text($(el, '.empty'))).toContain('gone');
    const back = [...el.shadowRoot!.querySelectorAll<HTMLAnchorElement>('.empty a')].at(-1)!;
    expect(back.getAttribute('href')).toMatch(/\/queues\/memory%3Aemails$/);
    await expectAccessible(el);
  });

  it('updates the progress bar from live events and reloads on job events', async () => {
    let state: 'active' | 'completed' = 'active';
    const fake = createFakeApi({
      getJob: async (queueId, jobId) =>
        fakeJob({
          queueId,
          id: jobId,
          state,
          nativeState: state,
          progress: 10,
          finishedAt: null,
          failedReason: null,
          stacktrace: [],
        }),
    });
    const { el, push, callsOf } = await mount(fake);
    const bar = () => $(el, '[role=progressbar]')!;
    expect(bar().getAttribute('aria-valuenow')).toBe('10');
    expect(actions(el)).toEqual(['update-data', 'duplicate', 'discard']);
    // The live feed connects after the first render.
    await vi.waitFor(() => {
      push({ type: 'progress', queueId: 'memory:emails', jobId: '1', progress: 55 });
      expect(bar().getAttribute('aria-valuenow')).toBe('55');
    });
    expect(text($(el, '.percent'))).toBe('55%');
    // Another job's progress does not move this bar.
    push({ type: 'progress', queueId: 'memory:emails', jobId: '2', progress: 90 });
    await el.updateComplete;
    expect(bar().getAttribute('aria-valuenow')).toBe('55');

    state = 'completed';
    push({ type: 'job', queueId: 'memory:emails', jobId: '1', state: 'completed' });
    push({ type: 'job', queueId: 'memory:emails', jobId: '1', state: 'completed' });
    await vi.waitFor(() => expect(text($(el, 'h1 .badge'))).toBe('completed'), { timeout: 3000 });
    // Two events, one reload.
    expect(callsOf('getJob')).toHaveLength(2);
    expect($(el, 'qadmin-json-view[label="Return value"]')).not.toBeNull();
  });

  it('removes the job after confirmation and links back to the queue', async () => {
    const { el, callsOf } = await mount();
    const confirm = $<QadminConfirm>(el, 'qadmin-confirm')!;
    button(el, 'remove').click();
    await vi.waitFor(() => expect(confirm.open).toBe(true));
    expect(text(confirm.shadowRoot!.querySelector('h2'))).toBe('Remove job 1?');
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.cancel')!.click();
    await el.updateComplete;
    expect(callsOf('jobAction')).toEqual([]);

    button(el, 'remove').click();
    await vi.waitFor(() => expect(confirm.open).toBe(true));
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.action')!.click();
    await vi.waitFor(() => expect(text($(el, '[role=status]'))).toContain('Job 1 was removed.'));
    expect(callsOf('jobAction')).toEqual([['memory:emails', '1', { type: 'remove' }]]);
    const back = $<HTMLAnchorElement>(el, '[role=status] a')!;
    expect(text(back)).toBe('Back to emails');
    expect(back.getAttribute('href')).toMatch(/\/queues\/memory%3Aemails$/);
    expect($(el, '[part=toolbar]')).toBeNull();
  });

  it('marks a running job completed after confirmation', async () => {
    const running = {
      state: 'active' as const,
      nativeState: 'active',
      finishedAt: null,
      failedReason: null,
      stacktrace: [],
    };
    const fake = createFakeApi({
      getJob: async (queueId, jobId) => fakeJob({ queueId, id: jobId, ...running }),
      jobAction: async (queueId, jobId) => ({
        job: fakeJob({ queueId, id: jobId, state: 'completed', nativeState: 'completed' }),
      }),
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return {
          ...queue,
          capabilities: {
            ...queue.capabilities,
            jobActions: ['retry', 'complete', 'cancel', 'discard', 'remove'],
          },
        };
      },
    });
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() => expect(actions(el)).toEqual(['complete', 'cancel', 'discard']));
    expect(text(button(el, 'complete'))).toBe('Mark completed');
    const confirm = $<QadminConfirm>(el, 'qadmin-confirm')!;
    button(el, 'complete').click();
    await vi.waitFor(() => expect(confirm.open).toBe(true));
    expect(text(confirm.shadowRoot!.querySelector('h2'))).toBe('Complete job 1?');
    expect(confirm.shadowRoot!.textContent!.replace(/\s+/g, ' ')).toContain(
      'The job is marked completed without running (a running one is told to stop).',
    );
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.cancel')!.click();
    await el.updateComplete;
    expect(callsOf('jobAction')).toEqual([]);

    button(el, 'complete').click();
    await vi.waitFor(() => expect(confirm.open).toBe(true));
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.action')!.click();
    await vi.waitFor(() =>
      expect(text($(el, '[role=status]'))).toBe('Marked completed. The job is now completed.'),
    );
    expect(callsOf('jobAction')).toEqual([['memory:emails', '1', { type: 'complete' }]]);
    expect(actions(el)).toEqual(['retry', 'remove']);
  });

  it('offers to mark waiting, delayed and prioritized jobs completed, not finished ones', async () => {
    let state: JobState = 'waiting';
    const fake = createFakeApi({
      getJob: async (queueId, jobId) => fakeJob({ queueId, id: jobId, state, nativeState: state }),
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return { ...queue, capabilities: { ...queue.capabilities, jobActions: ['complete'] } };
      },
    });
    for (const [next, offered] of [
      ['waiting', true],
      ['delayed', true],
      ['prioritized', true],
      ['completed', false],
      ['failed', false],
      ['cancelled', false],
    ] as const) {
      state = next;
      const { el } = await mount(fake, `job-${next}`);
      await vi.waitFor(() => expect(text($(el, 'h1 .badge'))).toBe(next));
      expect(actions(el), next).toEqual(offered ? ['complete'] : []);
      el.remove();
    }
  });

  it('titles the job "Job" where jobs are named after their queue', async () => {
    const fake = createFakeApi({
      getJob: async (queueId, jobId) => fakeJob({ queueId, id: jobId, name: 'emails' }),
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return { ...queue, capabilities: { ...queue.capabilities, jobNames: false } };
      },
    });
    const { el } = await mount(fake);
    await vi.waitFor(() => expect(text($(el, 'h1'))).toBe('Job 1 failed'));
  });

  it('edits the data as JSON, refusing invalid JSON', async () => {
    const { el, callsOf } = await mount();
    button(el, 'update-data').click();
    await el.updateComplete;
    const textarea = $<HTMLTextAreaElement>(el, 'textarea')!;
    expect(JSON.parse(textarea.value)).toEqual({ to: 'ada@example.com', subject: 'Welcome' });
    textarea.value = '{"to": ';
    textarea.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await el.updateComplete;
    expect(text($(el, '#editor-error'))).toMatch(/^Not valid JSON/);
    expect(textarea.getAttribute('aria-invalid')).toBe('true');
    expect(callsOf('jobAction')).toEqual([]);

    textarea.value = '{"to": "grace@example.com"}';
    textarea.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await vi.waitFor(() => expect(text($(el, '[role=status]'))).toContain('Data saved'));
    expect(callsOf('jobAction')).toEqual([
      ['memory:emails', '1', { type: 'update-data', data: { to: 'grace@example.com' } }],
    ]);
    expect($(el, '.editor')).toBeNull();
  });

  it('offers the actions of a delayed job and sends a new delay', async () => {
    const fake = createFakeApi({
      getJob: async (queueId, jobId) =>
        fakeJob({
          queueId,
          id: jobId,
          state: 'delayed',
          nativeState: 'delayed',
          delayedUntil: Date.now() + 60_000,
          processedAt: null,
          finishedAt: null,
          failedReason: null,
          stacktrace: [],
        }),
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return {
          ...queue,
          capabilities: {
            ...queue.capabilities,
            jobActions: ['retry', 'promote', 'change-delay', 'change-priority', 'cancel', 'remove'],
          },
        };
      },
    });
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() => expect($(el, '[part=toolbar]')).not.toBeNull());
    expect(actions(el)).toEqual(['promote', 'change-delay', 'cancel', 'remove']);
    expect(text($(el, '.timeline'))).toContain('Delayed until');
    expect(text($(el, '.timeline'))).toContain('not yet');

    button(el, 'change-delay').click();
    await el.updateComplete;
    const input = $<HTMLInputElement>(el, '#editor-input')!;
    expect(Number(input.value)).toBeGreaterThanOrEqual(59);
    input.value = '-5';
    input.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await el.updateComplete;
    expect(text($(el, '#editor-error'))).toBe('Enter a number of seconds, 0 or more.');
    input.value = '90';
    input.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await vi.waitFor(() => expect(callsOf('jobAction')).toHaveLength(1));
    expect(callsOf('jobAction')[0]).toEqual([
      'memory:emails',
      '1',
      { type: 'change-delay', delayMs: 90_000 },
    ]);
  });

  it('changes the priority of a waiting job', async () => {
    const fake = createFakeApi({
      getJob: async (queueId, jobId) =>
        fakeJob({
          queueId,
          id: jobId,
          state: 'waiting',
          nativeState: 'wait',
          priority: 3,
          failedReason: null,
          stacktrace: [],
        }),
      queue: async (id) => {
        const queue = fakeQueue({ id });
        return {
          ...queue,
          capabilities: { ...queue.capabilities, jobActions: ['change-priority', 'retry'] },
        };
      },
    });
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() => expect(actions(el)).toEqual(['change-priority']));
    expect(text($(el, 'h1 .native'))).toBe('wait');
    button(el, 'change-priority').click();
    await el.updateComplete;
    const input = $<HTMLInputElement>(el, '#editor-input')!;
    expect(input.value).toBe('3');
    expect(button(el, 'change-priority').getAttribute('aria-expanded')).toBe('true');
    input.value = '1.5';
    input.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await el.updateComplete;
    expect(text($(el, '#editor-error'))).toBe('Enter a whole number, 0 or more.');
    input.value = '7';
    input.dispatchEvent(new InputEvent('input'));
    $<HTMLButtonElement>(el, '.editor button[type=submit]')!.click();
    await vi.waitFor(() => expect(text($(el, '[role=status]'))).toMatch(/^Priority changed/));
    expect(callsOf('jobAction')).toEqual([
      ['memory:emails', '1', { type: 'change-priority', priority: 7 }],
    ]);
  });

  it('links the parent and children of a flow', async () => {
    const fake = createFakeApi({
      getJob: async (queueId, jobId) =>
        fakeJob({
          queueId,
          id: jobId,
          parent: { queue: 'reports', id: '42', state: 'waiting-children' },
          children: [
            { queue: 'emails', id: 'c1', state: 'completed' },
            { queue: 'thumbs', id: 'c2' },
          ],
        }),
    });
    const { el } = await mount(fake);
    const parent = $<HTMLAnchorElement>(el, '.parent a')!;
    expect(parent.getAttribute('href')).toMatch(/\/queues\/memory%3Areports\/jobs\/42$/);
    const children = [...el.shadowRoot!.querySelectorAll<HTMLAnchorElement>('.children a')];
    expect(children.map((a) => new URL(a.href).pathname.split('/queues/')[1])).toEqual([
      'memory%3Aemails/jobs/c1',
      'memory%3Athumbs/jobs/c2',
    ]);
    await expectAccessible(el);
  });
});
