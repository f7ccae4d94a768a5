import type { ListJobsParams } from '@qadmin/client';
import type { ApiJobPage, BulkAction, QueueDetail } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateDetail } from '../../shared/routes';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeHandlers, fakeQueue } from '../../test-support/fake-api';
import { QadminApp } from '../app/app';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJobList } from '../job-list/job-list';
import { QadminQueue } from './queue';

if (!customElements.get('qadmin-app')) customElements.define('qadmin-app', QadminApp);
if (!customElements.get('qadmin-queue')) customElements.define('qadmin-queue', QadminQueue);
if (!customElements.get('qadmin-job-list')) customElements.define('qadmin-job-list', QadminJobList);
if (!customElements.get('qadmin-confirm')) customElements.define('qadmin-confirm', QadminConfirm);

async function mount(
  handlers: FakeHandlers = {},
  props: Partial<Pick<QadminQueue, 'state' | 'search' | 'searchIn'>> = {},
) {
  const fake = createFakeApi(handlers);
  const el = document.createElement('qadmin-queue');
  el.api = fake.api;
  el.queueId = 'memory:emails';
  Object.assign(el, props);
  document.body.append(el);
  await vi.waitFor(() =>
    expect(el.shadowRoot!.querySelectorAll('[role=tab]').length).toBeGreaterThan(0),
  );
  return { el, ...fake };
}

const root = (el: QadminQueue) => el.shadowRoot!;
const tabs = (el: QadminQueue) => [...root(el).querySelectorAll<HTMLAnchorElement>('[role=tab]')];
const list = (el: QadminQueue) => root(el).querySelector('qadmin-job-list')!;
const actionButtons = (el: QadminQueue) =>
  [...root(el).querySelectorAll<HTMLButtonElement>('.actions button')].map((b) =>
    b.textContent!.trim(),
  );
const actionButton = (el: QadminQueue, label: string) =>
  [...root(el).querySelectorAll<HTMLButtonElement>('.actions button')].find(
    (b) => b.textContent!.trim() === label,
  )!;

function withCaps(caps: Partial<QueueDetail['capabilities']>, more: Partial<QueueDetail> = {}) {
  return async (queueId: string) => {
    const base = fakeQueue({ id: queueId });
    return { ...base, ...more, capabilities: { ...base.capabilities, ...caps } };
  };
}

async function openConfirm(el: QadminQueue, label: string) {
  actionButton(el, label).click();
  return vi.waitFor(() => {
    const confirm = root(el).querySelector('qadmin-confirm');
    expect(confirm?.shadowRoot?.querySelector('dialog')?.open).toBe(true);
    return confirm!;
  });
}

async function typeAndConfirm(confirm: QadminConfirm, text: string) {
  const input = confirm.shadowRoot!.querySelector('input')!;
  const action = confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.action')!;
  expect(action.disabled).toBe(true);
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
  await confirm.updateComplete;
  expect(action.disabled).toBe(false);
  action.click();
}

describe('qadmin-queue', () => {
  afterEach(() => {
    document.body.replaceChildren();
    localStorage.clear();
  });

  it('shows the queue, a tab per state with its count, links, and the waiting jobs; accessible', async () => {
    const { el, callsOf } = await mount();
    expect(root(el).querySelector('h1')!.textContent).toBe('emails');
    expect(tabs(el).map((t) => t.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
      'waiting 12',
      'delayed 1',
      'active 2',
      'completed 340',
      'failed 7',
    ]);
    expect(tabs(el)[0]!.getAttribute('aria-selected')).toBe('true');
    expect(tabs(el)[0]!.tabIndex).toBe(0);
    expect(tabs(el)[4]!.tabIndex).toBe(-1);
    expect(list(el).state).toBe('waiting');
    await vi.waitFor(() => expect(callsOf('listJobs')[0]![1]).toMatchObject({ state: 'waiting' }));
    const links = [...root(el).querySelectorAll<HTMLAnchorElement>('nav.links a')].map((a) => [
      a.textContent!.trim(),
      new URL(a.href).pathname + new URL(a.href).search,
    ]);
    expect(links).toEqual([
      ['2 workers', '/workers?queue=memory%3Aemails'],
      ['Schedules', '/schedules?queue=memory%3Aemails'],
      ['Metrics', '/charts?queue=memory%3Aemails'],
    ]);
    await vi.waitFor(() =>
      expect(list(el).shadowRoot!.querySelectorAll('.body [part=row]').length).toBe(2),
    );
    await expectAccessible(el);
  });

  it('changes state from a tab: asks to navigate, or switches by itself when embedded', async () => {
    const { el, callsOf } = await mount();
    const navigations: NavigateDetail[] = [];
    const handle = (event: CustomEvent<NavigateDetail>) => {
      navigations.push(event.detail);
      event.preventDefault();
    };
    el.addEventListener('qadmin-navigate', handle);
    tabs(el)[4]!.click();
    expect(navigations).toEqual([{ path: 'queues/memory%3Aemails?state=failed', replace: false }]);
    await el.updateComplete;
    // Handled by the app: it sets the state from the URL.
    expect(list(el).state).toBe('waiting');
    el.state = 'failed';
    await el.updateComplete;
    expect(tabs(el)[4]!.getAttribute('aria-selected')).toBe('true');

    el.removeEventListener('qadmin-navigate', handle);
    tabs(el)[3]!.click();
    await el.updateComplete;
    expect(el.state).toBe('completed');
    expect(list(el).state).toBe('completed');
    await vi.waitFor(() =>
      expect(callsOf('listJobs').at(-1)![1]).toMatchObject({ state: 'completed' }),
    );
  });

  it('moves between tabs with the arrow keys', async () => {
    const { el } = await mount();
    tabs(el)[0]!.focus();
    tabs(el)[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(root(el).activeElement).toBe(tabs(el)[1]);
    tabs(el)[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    tabs(el)[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    expect(root(el).activeElement).toBe(tabs(el)[4]);
    tabs(el)[4]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    expect(root(el).activeElement).toBe(tabs(el)[0]);
  });

  it('searches text with q and in, and shows how far the search looked', async () => {
    const listJobs = vi.fn(
      async (queueId: string, query: ListJobsParams): Promise<ApiJobPage> => ({
        queueId,
        state: query.state,
        jobs: [],
        nextCursor: query.q ? 'next' : null,
        total: null,
        search: query.q
          ? { text: query.q, fields: query.in ?? [], scanned: 5000, exhausted: false }
          : null,
      }),
    );
    const { el } = await mount({ listJobs }, { state: 'failed' });
    const navigations: NavigateDetail[] = [];
    el.addEventListener('qadmin-navigate', (event) => navigations.push(event.detail));
    el.focusSearch();
    const input = root(el).querySelector<HTMLInputElement>('#search')!;
    expect(root(el).activeElement).toBe(input);
    input.value = 'timeout';
    input.dispatchEvent(new InputEvent('input'));
    input.form!.requestSubmit();
    expect(navigations.at(-1)).toEqual({
      path: 'queues/memory%3Aemails?state=failed&q=timeout',
      replace: true,
    });
    await vi.waitFor(() =>
      expect(listJobs.mock.calls.at(-1)![1]).toEqual({ state: 'failed', limit: 50, q: 'timeout' }),
    );

    const select = root(el).querySelector<HTMLSelectElement>('select[aria-label="Search in"]')!;
    expect([...select.options].map((o) => o.value)).toEqual(['', 'name', 'data', 'error', 'id']);
    select.value = 'error';
    select.dispatchEvent(new Event('change'));
    expect(navigations.at(-1)).toEqual({
      path: 'queues/memory%3Aemails?state=failed&q=timeout&in=error',
      replace: true,
    });
    await vi.waitFor(() =>
      expect(listJobs.mock.calls.at(-1)![1]).toEqual({
        state: 'failed',
        limit: 50,
        q: 'timeout',
        in: ['error'],
      }),
    );
    await vi.waitFor(() =>
      expect(list(el).shadowRoot!.querySelector('[role=status]')!.textContent).toMatch(
        /0 matches in 5,000 jobs scanned — not every job searched yet/,
      ),
    );
    expect(
      [...list(el).shadowRoot!.querySelectorAll('button')].some(
        (b) => b.textContent!.trim() === 'Search further',
      ),
    ).toBe(true);
  });

  it('looks a job up by id', async () => {
    const { el, callsOf } = await mount({}, { state: 'failed', search: '42', searchIn: 'id' });
    expect(root(el).querySelector<HTMLInputElement>('#search')!.value).toBe('42');
    await vi.waitFor(() =>
      expect(callsOf('listJobs').at(-1)![1]).toEqual({ state: 'failed', limit: 50, id: '42' }),
    );
  });

  it('offers only id lookup when the queue cannot search text', async () => {
    const { el, callsOf } = await mount({ queue: withCaps({ search: [] }) }, { state: 'failed' });
    expect(root(el).querySelector('select[aria-label="Search in"]')).toBeNull();
    const input = root(el).querySelector<HTMLInputElement>('#search')!;
    expect(input.getAttribute('aria-label')).toBe('Job id');
    input.value = '1';
    input.dispatchEvent(new InputEvent('input'));
    input.form!.requestSubmit();
    await vi.waitFor(() =>
      expect(callsOf('listJobs').at(-1)![1]).toEqual({ state: 'failed', limit: 50, id: '1' }),
    );
  });

  it('offers the queue actions the capabilities allow, and none when read-only', async () => {
    const { el } = await mount();
    expect(actionButtons(el)).toEqual([
      'Pause',
      'Promote all delayed',
      'Retry all…',
      'Clean…',
      'Empty…',
      'Obliterate…',
    ]);
    document.body.replaceChildren();

    const limited = await mount({
      queue: withCaps({ bulkActions: ['resume', 'clean'], cleanStates: [] }),
    });
    expect(actionButtons(limited.el)).toEqual([]);
    document.body.replaceChildren();

    const paused = await mount({
      queue: withCaps({ bulkActions: ['pause', 'resume'] }, { paused: true }),
    });
    expect(actionButtons(paused.el)).toEqual(['Resume']);
    expect(root(paused.el).querySelector('.badge.paused')).not.toBeNull();
    document.body.replaceChildren();

    const readOnly = await mount({ queue: withCaps({}, { readOnly: true }) });
    expect(root(readOnly.el).querySelector('.actions')).toBeNull();
    await vi.waitFor(() =>
      expect(list(readOnly.el).shadowRoot!.querySelectorAll('.body [part=row]').length).toBe(2),
    );
    expect(list(readOnly.el).shadowRoot!.querySelector('input[type=checkbox]')).toBeNull();
  });

  it('hides the links the capabilities do not have', async () => {
    const { el } = await mount({
      queue: withCaps({
        workers: false,
        metrics: false,
        schedules: { read: false, write: false, intervals: false, multiple: false },
      }),
    });
    expect([...root(el).querySelectorAll('nav.links a')]).toEqual([]);
    expect(root(el).querySelector('nav.links')!.textContent).toContain('2 workers');
  });

  it('pauses at once and reports it', async () => {
    let paused = false;
    const { el, callsOf } = await mount({
      queue: async (queueId) => fakeQueue({ id: queueId, paused }),
      bulkAction: async (_queueId, action) => {
        paused = action.type === 'pause';
        return { affected: 0 };
      },
    });
    actionButton(el, 'Pause').click();
    await vi.waitFor(() =>
      expect(root(el).querySelector('.result')!.textContent).toBe('Paused emails.'),
    );
    expect(callsOf('bulkAction')).toEqual([['memory:emails', { type: 'pause' }]]);
    await vi.waitFor(() => expect(actionButtons(el)[0]).toBe('Resume'));
    expect(root(el).querySelector('.badge.paused')).not.toBeNull();
  });

  it('cleans by state, age and limit after the queue name is typed', async () => {
    const bulkAction = vi.fn(async (_queueId: string, _action: BulkAction) => ({ affected: 7 }));
    const { el, callsOf } = await mount({ bulkAction }, { state: 'completed' });
    const confirm = await openConfirm(el, 'Clean…');
    expect(confirm.heading).toBe('Clean completed jobs of emails?');
    expect(confirm.message).toContain('Removes all 340 completed jobs');
    const age = root(el).querySelector<HTMLSelectElement>('#opt-age')!;
    age.value = '86400000';
    age.dispatchEvent(new Event('change'));
    const limit = root(el).querySelector<HTMLInputElement>('#opt-limit')!;
    limit.value = '100';
    limit.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    expect(confirm.message).toContain(
      'Removes up to 100 completed jobs finished more than 1 day ago',
    );
    const queueCalls = callsOf('queue').length;
    await typeAndConfirm(confirm, 'emails');
    await vi.waitFor(() =>
      expect(root(el).querySelector('.result')!.textContent).toBe('Cleaned 7 jobs (completed).'),
    );
    expect(bulkAction.mock.calls).toEqual([
      ['memory:emails', { type: 'clean', state: 'completed', olderThanMs: 86_400_000, limit: 100 }],
    ]);
    await vi.waitFor(() => expect(callsOf('queue').length).toBeGreaterThan(queueCalls));
  });

  it('retries all jobs of a chosen state', async () => {
    const { el, callsOf } = await mount({}, { state: 'failed' });
    const confirm = await openConfirm(el, 'Retry all…');
    expect(confirm.message).toContain('All 7 failed jobs go back');
    expect(confirm.actionLabel).toBe('Retry 7 jobs');
    await typeAndConfirm(confirm, 'emails');
    await vi.waitFor(() =>
      expect(callsOf('bulkAction')).toEqual([
        ['memory:emails', { type: 'retry-all', state: 'failed' }],
      ]),
    );
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const { el, callsOf } = await mount();
    const confirm = await openConfirm(el, 'Empty…');
    expect(confirm.message).toContain('up to 360 jobs');
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button.cancel')!.click();
    await vi.waitFor(() => expect(root(el).querySelector('qadmin-confirm')).toBeNull());
    expect(callsOf('bulkAction')).toEqual([]);
    expect(actionButton(el, 'Empty…').disabled).toBe(false);
  });

  it('empties the queue after the name is typed', async () => {
    const { el, callsOf } = await mount();
    const confirm = await openConfirm(el, 'Empty…');
    await typeAndConfirm(confirm, 'emails');
    await vi.waitFor(() =>
      expect(root(el).querySelector('.result')!.textContent).toBe(
        'Emptied emails: 7 jobs removed.',
      ),
    );
    expect(callsOf('bulkAction')).toEqual([['memory:emails', { type: 'empty' }]]);
  });

  it('obliterates the queue and goes to the overview', async () => {
    const { el, callsOf } = await mount();
    const navigations: NavigateDetail[] = [];
    el.addEventListener('qadmin-navigate', (event) => {
      navigations.push(event.detail);
      event.preventDefault();
    });
    const confirm = await openConfirm(el, 'Obliterate…');
    expect(confirm.message).toContain('all its 362 jobs');
    await typeAndConfirm(confirm, 'emails');
    await vi.waitFor(() => expect(navigations).toEqual([{ path: './' }]));
    expect(callsOf('bulkAction')).toEqual([['memory:emails', { type: 'obliterate' }]]);
  });

  it('shows the error of a failing action', async () => {
    const { el } = await mount({
      bulkAction: async () => {
        throw new Error(
          'Action not possible in this state: Queue emails has 2 active jobs: cancel them first',
        );
      },
    });
    const confirm = await openConfirm(el, 'Obliterate…');
    await typeAndConfirm(confirm, 'emails');
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=alert]')?.textContent).toContain(
        'has 2 active jobs: cancel them first',
      ),
    );
    expect(root(el).querySelector('.result')!.textContent).toBe('');
  });

  it('refreshes its counts on live events of this queue', async () => {
    let failed = 7;
    const { el, push } = await mount({
      queue: async (queueId) => fakeQueue({ id: queueId, counts: { waiting: 12, failed } }),
    });
    expect(tabs(el)[4]!.textContent).toContain('7');
    failed = 8;
    push({ type: 'job', queueId: 'memory:emails', jobId: '9', state: 'failed' });
    await vi.waitFor(() => expect(tabs(el)[4]!.textContent).toContain('8'), { timeout: 3000 });
    push({ type: 'queue', queueId: 'memory:emails', paused: true });
    await vi.waitFor(() => expect(root(el).querySelector('.badge.paused')).not.toBeNull());
  });

  it('shows when the queue cannot be loaded', async () => {
    const fake = createFakeApi({
      queue: async () => {
        throw new Error('Not found: no queue memory:nope');
      },
    });
    const el = document.createElement('qadmin-queue');
    Object.assign(el, { api: fake.api, queueId: 'memory:nope' });
    document.body.append(el);
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=alert]')?.textContent).toContain('no queue memory:nope'),
    );
    expect(root(el).querySelector('h1')!.textContent).toBe('nope');
  });

  it('moves the row focus of its list', async () => {
    const { el } = await mount();
    await vi.waitFor(() =>
      expect(list(el).shadowRoot!.querySelectorAll('.body [part=row]').length).toBe(2),
    );
    el.moveFocus(1);
    expect(list(el).shadowRoot!.activeElement).toBe(
      list(el).shadowRoot!.querySelector('.body [part=row]'),
    );
  });
  it('inside qadmin-app, follows the URL and writes state and search back to it', async () => {
    const start = location.href;
    const base = new URL('.', document.baseURI);
    const fake = createFakeApi();
    const app = document.createElement('qadmin-app');
    try {
      history.pushState(
        null,
        '',
        new URL('queues/memory%3Aemails?state=failed&q=timeout&in=data,error', base),
      );
      app.api = fake.api;
      app.baseUrl = base.href;
      document.body.append(app);
      // The app read the location before it knew its base.
      window.dispatchEvent(new PopStateEvent('popstate'));
      const queue = await vi.waitFor(() => {
        const element = app.shadowRoot!.querySelector('qadmin-queue');
        expect(element).not.toBeNull();
        return element!;
      });
      expect([queue.state, queue.search, queue.searchIn]).toEqual([
        'failed',
        'timeout',
        'data,error',
      ]);
      await vi.waitFor(() =>
        expect(fake.callsOf('listJobs').at(-1)![1]).toEqual({
          state: 'failed',
          limit: 50,
          q: 'timeout',
          in: ['data', 'error'],
        }),
      );
      const tab = await vi.waitFor(() => {
        const element = queue.shadowRoot!.querySelector<HTMLAnchorElement>('#tab-completed');
        expect(element).not.toBeNull();
        return element!;
      });
      const entries = history.length;
      tab.click();
      await vi.waitFor(() =>
        expect(location.search).toBe('?state=completed&q=timeout&in=data,error'),
      );
      expect(history.length).toBe(entries + 1);
      await vi.waitFor(() =>
        expect(fake.callsOf('listJobs').at(-1)![1]).toMatchObject({ state: 'completed' }),
      );
      // Typing replaces the entry once it settles, and never rewrites what is being typed.
      const input = queue.shadowRoot!.querySelector<HTMLInputElement>('#search')!;
      for (const text of ['timeou', 'smtp']) {
        input.value = text;
        input.dispatchEvent(new InputEvent('input'));
      }
      await vi.waitFor(() => expect(location.search).toBe('?state=completed&q=smtp&in=data,error'));
      expect(history.length).toBe(entries + 1);
      expect(input.value).toBe('smtp');
    } finally {
      app.remove();
      history.replaceState(null, '', start);
    }
  });
});
