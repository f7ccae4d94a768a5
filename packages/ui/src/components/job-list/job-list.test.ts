import type { ListJobsParams } from '@qadmin/client';
import type { ApiJob, ApiJobPage, ApiJobSummary, JobAction, JobState } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeHandlers, fakeJob, fakeQueue } from '../../test-support/fake-api';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJobList } from './job-list';

if (!customElements.get('qadmin-job-list')) customElements.define('qadmin-job-list', QadminJobList);
if (!customElements.get('qadmin-confirm')) customElements.define('qadmin-confirm', QadminConfirm);

function summary(job: ApiJob): ApiJobSummary {
  const { data, returnValue: _r, stacktrace: _s, options: _o, children, ...rest } = job;
  return { ...rest, dataPreview: JSON.stringify(data), childrenCount: children.length };
}

function page(state: JobState, ids: string[], more: Partial<ApiJobPage> = {}): ApiJobPage {
  return {
    queueId: 'memory:emails',
    state,
    jobs: ids.map((id) => summary(fakeJob({ id, state }))),
    nextCursor: null,
    total: ids.length,
    search: null,
    ...more,
  };
}

async function mount(
  handlers: FakeHandlers = {},
  props: Partial<Pick<QadminJobList, 'state' | 'search' | 'searchIn' | 'pageSize' | 'detail'>> = {},
) {
  const fake = createFakeApi(handlers);
  const el = document.createElement('qadmin-job-list');
  el.api = fake.api;
  el.queueId = 'memory:emails';
  el.state = 'failed';
  Object.assign(el, props);
  document.body.append(el);
  await vi.waitFor(() =>
    expect(el.shadowRoot!.querySelectorAll('.body [part=row]').length).toBeGreaterThan(0),
  );
  return { el, ...fake };
}

const rows = (el: QadminJobList) => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>('.body [part=row]'),
];
const button = (el: QadminJobList, label: string | RegExp) =>
  [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) =>
    typeof label === 'string' ? b.textContent?.trim() === label : label.test(b.textContent ?? ''),
  );
const status = (el: QadminJobList) =>
  el.shadowRoot!.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');

describe('qadmin-job-list', () => {
  afterEach(() => {
    document.body.replaceChildren();
    localStorage.clear();
  });

  it('shows the jobs of a state with the columns of that state, and is accessible', async () => {
    const { el, callsOf } = await mount();
    expect(callsOf('listJobs')[0]!.slice(0, 2)).toEqual([
      'memory:emails',
      { state: 'failed', limit: 50 },
    ]);
    const headers = [...el.shadowRoot!.querySelectorAll('.head [role=columnheader]')].map((th) =>
      th.textContent!.trim(),
    );
    expect(headers).toEqual(['', 'Id', 'Name', 'Data', 'Reason', 'Attempts', 'Finished']);
    const [first, second] = rows(el);
    const link = first!.querySelector('a')!;
    expect(link.textContent).toBe('1');
    expect(link.getAttribute('href')).toMatch(/queues\/memory%3Aemails\/jobs\/1$/);
    expect(first!.textContent).toContain('send-email');
    expect(first!.textContent).toContain('SMTP 421: try again later');
    expect(first!.textContent).toContain('3 / 3');
    const data = first!.querySelector('.data')!;
    expect(data.getAttribute('title')).toBe('{"to":"ada@example.com","subject":"Welcome"}');
    expect(first!.querySelector('time')!.getAttribute('title')).toBeTruthy();
    expect(second!.textContent).toContain('timeout');
    expect(el.shadowRoot!.querySelector('.range')!.textContent).toMatch(/1–2 of 2/);
    await expectAccessible(el);
  });

  it('leaves out the name column where jobs are named after their queue', async () => {
    const caps = fakeQueue().capabilities;
    const { el } = await mount(
      {},
      {
        detail: fakeQueue({
          capabilities: { ...caps, jobNames: false, search: ['data', 'error'] },
        }),
      },
    );
    const headers = [...el.shadowRoot!.querySelectorAll('.head [role=columnheader]')].map((th) =>
      th.textContent!.trim(),
    );
    expect(headers).toEqual(['', 'Id', 'Data', 'Reason', 'Attempts', 'Finished']);
    const [first] = rows(el);
    expect(first!.querySelectorAll('[role=cell]').length).toBe(headers.length);
    expect(first!.querySelector('.name')).toBeNull();
    await expectAccessible(el);
  });

  it('shows progress for active jobs and moves it with live progress events', async () => {
    const { el, push } = await mount(
      {
        listJobs: async () =>
          page('active', ['7'], {
            jobs: [summary(fakeJob({ id: '7', state: 'active', progress: 10 }))],
          }),
      },
      { state: 'active' },
    );
    const bar = () => el.shadowRoot!.querySelector<HTMLProgressElement>('.body progress')!;
    expect(bar().value).toBe(10);
    expect(bar().getAttribute('aria-label')).toBe('Progress of job 7');
    push({ type: 'progress', queueId: 'memory:emails', jobId: '7', progress: 64 });
    await vi.waitFor(() => expect(bar().value).toBe(64));
    expect(rows(el)[0]!.textContent).toContain('64%');
    // Another queue's job with the same id leaves it alone.
    push({ type: 'progress', queueId: 'memory:other', jobId: '7', progress: 99 });
    await el.updateComplete;
    expect(bar().value).toBe(64);
  });

  it('follows nextCursor with Next and goes back with Previous', async () => {
    const listJobs = vi.fn(async (_queueId: string, query: ListJobsParams) =>
      query.cursor === 'c2'
        ? page('failed', ['3', '4'], { total: 4 })
        : page('failed', ['1', '2'], { nextCursor: 'c2', total: 4 }),
    );
    const { el } = await mount({ listJobs }, { pageSize: 2 });
    const previous = button(el, /Previous/)!;
    const next = button(el, /Next/)!;
    expect(previous.disabled).toBe(true);
    expect(next.disabled).toBe(false);
    next.click();
    await vi.waitFor(() => expect(rows(el)[0]!.dataset.id).toBe('3'));
    expect(listJobs.mock.calls.at(-1)![1]).toEqual({ state: 'failed', limit: 2, cursor: 'c2' });
    expect(el.shadowRoot!.querySelector('.range')!.textContent).toMatch(/3–4 of 4/);
    expect(button(el, /Next/)!.disabled).toBe(true);
    button(el, /Previous/)!.click();
    await vi.waitFor(() => expect(rows(el)[0]!.dataset.id).toBe('1'));
    expect(listJobs.mock.calls.at(-1)![1]).toEqual({ state: 'failed', limit: 2 });
    expect(button(el, /Previous/)!.disabled).toBe(true);
  });

  it('changes the page size from the select and remembers it', async () => {
    const { el, callsOf } = await mount();
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('.pager select')!;
    select.value = '200';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() =>
      expect(callsOf('listJobs').at(-1)![1]).toEqual({ state: 'failed', limit: 200 }),
    );
    expect(localStorage.getItem('qadmin-page-size')).toBe('200');
  });

  it('offers the largest page size the server allows when it refuses one', async () => {
    const refusal = Object.assign(new Error('Invalid query.limit: must be at most 100'), {
      field: 'query.limit',
      detail: 'must be at most 100',
    });
    const listJobs = vi.fn(async (_q: string, query: ListJobsParams) => {
      if ((query.limit ?? 0) > 100) throw refusal;
      return page('failed', ['1']);
    });
    const fake = createFakeApi({ listJobs });
    const el = document.createElement('qadmin-job-list');
    Object.assign(el, { api: fake.api, queueId: 'memory:emails', state: 'failed', pageSize: 500 });
    document.body.append(el);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.querySelector('[role=alert]')?.textContent).toContain('at most 100'),
    );
    button(el, 'Show 100 per page')!.click();
    await vi.waitFor(() => expect(rows(el)).toHaveLength(1));
    expect(el.pageSize).toBe(100);
  });

  it('searches with q and in, shows how far it looked, and searches further', async () => {
    const listJobs = vi.fn(async (_queueId: string, query: ListJobsParams) =>
      query.cursor === 's2'
        ? page('failed', ['9'], {
            total: null,
            search: { text: 'timeout', fields: ['data', 'error'], scanned: 1200, exhausted: true },
          })
        : page('failed', ['2'], {
            total: null,
            nextCursor: 's2',
            search: { text: 'timeout', fields: ['data', 'error'], scanned: 5000, exhausted: false },
          }),
    );
    const { el } = await mount({ listJobs }, { search: 'timeout', searchIn: 'data,error' });
    expect(listJobs.mock.calls[0]![1]).toEqual({
      state: 'failed',
      limit: 50,
      q: 'timeout',
      in: ['data', 'error'],
    });
    await vi.waitFor(() =>
      expect(status(el)).toMatch(/1 match in 5,000 jobs scanned — not every job searched yet/),
    );
    button(el, 'Search further')!.click();
    await vi.waitFor(() => expect(rows(el).map((r) => r.dataset.id)).toEqual(['2', '9']));
    expect(listJobs.mock.calls.at(-1)![1]).toEqual({
      state: 'failed',
      limit: 50,
      q: 'timeout',
      in: ['data', 'error'],
      cursor: 's2',
    });
    expect(listJobs).toHaveBeenCalledTimes(2);
    expect(status(el)).toMatch(/2 matches in 6,200 jobs scanned — every job searched/);
    expect(button(el, 'Search further')).toBeUndefined();
  });

  it('looks a job up by id, and links to it when it is in another state', async () => {
    const listJobs = vi.fn(async (_q: string, _query: ListJobsParams) => page('failed', []));
    const fake = createFakeApi({ listJobs });
    const el = document.createElement('qadmin-job-list');
    Object.assign(el, {
      api: fake.api,
      queueId: 'memory:emails',
      state: 'failed',
      search: '42',
      searchIn: 'id',
    });
    document.body.append(el);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.querySelector('.empty')?.textContent).toMatch(/No failed job with id/),
    );
    expect(listJobs.mock.calls[0]![1]).toEqual({ state: 'failed', limit: 50, id: '42' });
    expect(el.shadowRoot!.querySelector('.empty a')!.getAttribute('href')).toMatch(/jobs\/42$/);
  });

  it('retries the selected jobs one call each and reports partial failures', async () => {
    const jobAction = vi.fn(async (queueId: string, jobId: string, _action: JobAction) => {
      if (jobId === '2')
        throw Object.assign(new Error('Action not possible in this state: Job 2 is active'), {});
      return { job: fakeJob({ queueId, id: jobId, state: 'waiting' }) };
    });
    const { el } = await mount({
      jobAction,
      listJobs: async () => page('failed', ['1', '2', '3']),
    });
    const changed = vi.fn();
    el.addEventListener('qadmin-jobs-changed', (e) => changed(e.detail));
    const all = el.shadowRoot!.querySelector<HTMLInputElement>('.head input[type=checkbox]')!;
    all.click();
    await el.updateComplete;
    expect(el.selectedIds).toEqual(['1', '2', '3']);
    expect(el.shadowRoot!.querySelector('.count')!.textContent).toBe('3 selected');
    // Only the actions the capabilities and the failed state allow.
    const labels = [...el.shadowRoot!.querySelectorAll('.selection button')].map((b) =>
      b.textContent!.trim(),
    );
    expect(labels).toEqual(['Retry', 'Remove', 'Clear']);
    button(el, 'Retry')!.click();
    await vi.waitFor(() => expect(status(el)).toContain('Retried 2 of 3 jobs; 1 failed.'));
    expect(jobAction.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      ['1', { type: 'retry' }],
      ['2', { type: 'retry' }],
      ['3', { type: 'retry' }],
    ]);
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).toContain('Retry failed for 1 job');
    expect(alert.textContent).toContain('Job 2 is active');
    expect(changed).toHaveBeenCalledWith({
      queueId: 'memory:emails',
      action: 'retry',
      affected: 2,
    });
    // The failed one stays selected.
    expect(el.selectedIds).toEqual(['2']);
  });

  it('selects a range with shift-click and toggles the focused row with x', async () => {
    const { el } = await mount({ listJobs: async () => page('failed', ['1', '2', '3', '4', '5']) });
    const box = (i: number) =>
      rows(el)[i]!.querySelector<HTMLInputElement>('input[type=checkbox]')!;
    box(1).click();
    box(3).dispatchEvent(new MouseEvent('click', { shiftKey: true, bubbles: true }));
    await el.updateComplete;
    expect(el.selectedIds.sort()).toEqual(['2', '3', '4']);
    // The row focus follows the last row clicked.
    el.moveFocus(-1);
    expect(el.shadowRoot!.activeElement).toBe(rows(el)[2]);
    rows(el)[2]!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'x', bubbles: true, composed: true }),
    );
    await el.updateComplete;
    expect(el.selectedIds.sort()).toEqual(['2', '4']);
    rows(el)[2]!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }),
    );
    expect(el.shadowRoot!.activeElement).toBe(rows(el)[3]);
  });

  it('opens the focused job with Enter through a cancelable qadmin-job-select', async () => {
    const { el } = await mount();
    const selected = vi.fn();
    el.addEventListener('qadmin-job-select', (event) => {
      event.preventDefault();
      selected(event.detail);
    });
    el.moveFocus(1);
    el.moveFocus(1);
    rows(el)[1]!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }),
    );
    expect(selected).toHaveBeenCalledTimes(1);
    expect(selected).toHaveBeenCalledWith({ queueId: 'memory:emails', jobId: '2' });
    expect(location.pathname).not.toMatch(/jobs\/2$/);
  });

  it('asks before removing jobs', async () => {
    const { el, callsOf } = await mount();
    el.shadowRoot!.querySelector<HTMLInputElement>('.head input[type=checkbox]')!.click();
    await el.updateComplete;
    button(el, 'Remove')!.click();
    const confirm = await vi.waitFor(() => {
      const c = el.shadowRoot!.querySelector('qadmin-confirm');
      expect(c?.shadowRoot?.querySelector('dialog')?.open).toBe(true);
      return c!;
    });
    expect(confirm.shadowRoot!.querySelector('h2')!.textContent).toBe('Remove 2 jobs?');
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.action')!.click();
    await vi.waitFor(() => expect(status(el)).toContain('Removed 2 jobs.'));
    expect(callsOf('jobAction').map((c) => c[2])).toEqual([{ type: 'remove' }, { type: 'remove' }]);
  });

  it('offers no selection when the queue is read-only or has no job actions', async () => {
    const { el } = await mount({}, { detail: fakeQueue({ readOnly: true }) });
    expect(el.shadowRoot!.querySelector('input[type=checkbox]')).toBeNull();
    expect(el.shadowRoot!.querySelector('.selection button')).toBeNull();
    const caps = fakeQueue().capabilities;
    el.detail = fakeQueue({ capabilities: { ...caps, jobActions: ['update-data'] } });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input[type=checkbox]')).toBeNull();
    el.detail = fakeQueue({ capabilities: { ...caps, jobActions: ['remove'] } });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('input[type=checkbox]').length).toBe(3);
  });

  it('refreshes on live job events of its state, keeping the selection', async () => {
    let ids = ['1', '2'];
    const { el, push, callsOf } = await mount({ listJobs: async () => page('failed', ids) });
    rows(el)[1]!.querySelector<HTMLInputElement>('input[type=checkbox]')!.click();
    const before = callsOf('listJobs').length;
    // Events of another state for a job not on the page, or of another queue, change nothing
    // (a refresh would be due at once: none has happened yet).
    push({ type: 'job', queueId: 'memory:emails', jobId: '77', state: 'completed' });
    push({ type: 'job', queueId: 'memory:other', jobId: '1', state: 'failed' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    await el.updateComplete;
    expect(callsOf('listJobs').length).toBe(before);
    ids = ['5', '1', '2'];
    push({ type: 'job', queueId: 'memory:emails', jobId: '5', state: 'failed' });
    await vi.waitFor(() => expect(rows(el).map((r) => r.dataset.id)).toEqual(['5', '1', '2']), {
      timeout: 3000,
    });
    expect(callsOf('listJobs').length).toBe(before + 1);
    expect(el.selectedIds).toEqual(['2']);
    expect(rows(el)[2]!.querySelector<HTMLInputElement>('input')!.checked).toBe(true);
  });

  it('shows a load failure and retries', async () => {
    let fail = true;
    const fake = createFakeApi({
      listJobs: async () => {
        if (fail) throw new Error('Backend memory is unavailable');
        return page('failed', ['1']);
      },
    });
    const el = document.createElement('qadmin-job-list');
    Object.assign(el, { api: fake.api, queueId: 'memory:emails', state: 'failed' });
    document.body.append(el);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.querySelector('[role=alert]')?.textContent).toContain(
        'Backend memory is unavailable',
      ),
    );
    fail = false;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[role=alert] button')!.click();
    await vi.waitFor(() => expect(rows(el)).toHaveLength(1));
    expect(el.shadowRoot!.querySelector('[role=alert]')).toBeNull();
  });
});
