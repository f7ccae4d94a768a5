import type { Overview } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateDetail } from '../../shared/routes';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeHandlers, fakeOverview } from '../../test-support/fake-api';
import { QadminQueueList } from '../queue-list/queue-list';
import { QadminSparkline } from '../sparkline/sparkline';
import { QadminOverview } from './overview';

if (!customElements.get('qadmin-overview'))
  customElements.define('qadmin-overview', QadminOverview);
if (!customElements.get('qadmin-queue-list'))
  customElements.define('qadmin-queue-list', QadminQueueList);
if (!customElements.get('qadmin-sparkline'))
  customElements.define('qadmin-sparkline', QadminSparkline);

async function mount(
  props: Partial<Pick<QadminOverview, 'filter' | 'sort'>> = {},
  handlers: FakeHandlers = {},
) {
  const fake = createFakeApi(handlers);
  const el = document.createElement('qadmin-overview');
  el.api = fake.api;
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

function list(el: QadminOverview): QadminQueueList {
  return el.shadowRoot!.querySelector('qadmin-queue-list')!;
}

function names(el: QadminOverview): string[] {
  const root = list(el)?.shadowRoot;
  if (!root) return [];
  return [...root.querySelectorAll('[role=row][data-queue-id] a')].map((a) =>
    a.textContent!.trim(),
  );
}

function row(el: QadminOverview, queueId: string): HTMLElement | null {
  return list(el)?.shadowRoot?.querySelector<HTMLElement>(`[data-queue-id="${queueId}"]`) ?? null;
}

function text(node: Element | null | undefined): string {
  return node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/** Records the `qadmin-navigate` events; `handle` cancels them, as the app does. */
function navigations(el: HTMLElement, handle = false): NavigateDetail[] {
  const seen: NavigateDetail[] = [];
  el.addEventListener('qadmin-navigate', (e) => {
    expect(e.bubbles && e.composed && e.cancelable).toBe(true);
    seen.push(e.detail);
    if (handle) e.preventDefault();
  });
  return seen;
}

function type(el: QadminOverview, value: string): void {
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

function withQueues(count: number): Overview {
  const base = fakeOverview();
  return {
    ...base,
    queues: Array.from({ length: count }, (_, i) => ({
      id: `memory:q${i}`,
      backend: 'memory',
      name: `q${i}`,
      counts: { waiting: i, active: 0, completed: 10, failed: 1 },
      paused: false,
      workers: 1,
      meta: {},
    })),
  };
}

describe('qadmin-overview', () => {
  afterEach(() => {
    document.body.replaceChildren();
    vi.restoreAllMocks();
  });

  it('sums up the queues and lists them in a group per backend', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(names(el)).toEqual(['emails', 'exports', 'webhooks']));
    expect(text(el.shadowRoot!.querySelector('.summary'))).toBe(
      '3 queues 17 waiting 3 active 37 failed 2 backends',
    );
    const groups = [...list(el).shadowRoot!.querySelectorAll('[role=row].group')];
    expect(groups.map((g) => text(g))).toEqual([
      'in-memory memory · 2 queues',
      'BullMQ bullmq · 1 queue',
    ]);
    expect(groups.map((g) => g.querySelector('h2')!.textContent)).toEqual(['in-memory', 'BullMQ']);
    // The overview came with the live feed; the throughput is one request for every queue.
    expect(callsOf('overview')).toHaveLength(0);
    expect(callsOf('throughput')).toHaveLength(1);
    await vi.waitFor(() =>
      expect(row(el, 'memory:emails')!.querySelector('qadmin-sparkline')!.values).toHaveLength(12),
    );
    expect(el.shadowRoot!.querySelector('.warning')).toBeNull();
    await expectAccessible(el);
  });

  it('is accessible in dark mode too', async () => {
    document.body.style.cssText = 'color-scheme: dark; background: #111318';
    try {
      const overview = fakeOverview();
      overview.backends[1] = { ...overview.backends[1]!, ok: false, error: 'ECONNREFUSED' };
      const { el } = await mount({}, { events: streamOf(overview) });
      await vi.waitFor(() => expect(names(el)).toHaveLength(3));
      el.moveFocus(1);
      await vi.waitFor(() => expect(row(el, 'memory:emails')!.classList).toContain('focused'));
      await expectAccessible(el);
    } finally {
      document.body.style.cssText = '';
    }
  });

  it('has no group headings with a single backend', async () => {
    const overview = withQueues(3);
    overview.backends = [overview.backends[0]!];
    const { el } = await mount({}, { events: streamOf(overview) });
    await vi.waitFor(() => expect(names(el)).toEqual(['q0', 'q1', 'q2']));
    expect(list(el).shadowRoot!.querySelectorAll('[role=row].group')).toHaveLength(0);
    expect(text(el.shadowRoot!.querySelector('.summary'))).toContain('1 backend');
  });

  it('warns about each backend that cannot be read', async () => {
    const overview = fakeOverview();
    overview.backends[1] = {
      ...overview.backends[1]!,
      ok: false,
      error: 'ECONNREFUSED 127.0.0.1:6379',
    };
    const { el } = await mount({}, { events: streamOf(overview) });
    await vi.waitFor(() => expect(el.shadowRoot!.querySelectorAll('.warning')).toHaveLength(1));
    const warning = text(el.shadowRoot!.querySelector('.warning'));
    expect(warning).toContain('BullMQ');
    expect(warning).toContain('ECONNREFUSED 127.0.0.1:6379');
    expect(text(el.shadowRoot!.querySelector('.summary'))).toContain('(1 unreachable)');
    await expectAccessible(el);
  });

  it('filters as you type and asks for the URL to follow', async () => {
    const { el } = await mount();
    const seen = navigations(el, true);
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    type(el, 'web');
    await vi.waitFor(() => expect(names(el)).toEqual(['webhooks']));
    expect(seen).toEqual([{ path: '?filter=web', replace: true }]);
    expect(text(el.shadowRoot!.querySelector('.matches'))).toBe('1 of 3');
    // Escape clears the filter.
    el.shadowRoot!.querySelector('input')!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    expect(seen.at(-1)).toEqual({ path: './', replace: true });
  });

  it('sorts by a column and asks for the URL to follow', async () => {
    const { el } = await mount({ filter: 'e' });
    const seen = navigations(el, true);
    await vi.waitFor(() => expect(names(el)).toEqual(['emails', 'exports', 'webhooks']));
    const failed = [...list(el).shadowRoot!.querySelectorAll('[role=columnheader]')].find(
      (h) => text(h) === 'Failed',
    )!;
    failed.querySelector('button')!.click();
    await vi.waitFor(() => expect(failed.getAttribute('aria-sort')).toBe('descending'));
    expect(seen).toEqual([{ path: '?filter=e&sort=-failed', replace: true }]);
    expect(el.sort).toBe('-failed');
  });

  it('follows filter and sort set from the URL', async () => {
    const overview = withQueues(5);
    overview.backends = [overview.backends[0]!];
    const { el } = await mount({ sort: '-backlog' }, { events: streamOf(overview) });
    await vi.waitFor(() => expect(names(el)).toEqual(['q4', 'q3', 'q2', 'q1', 'q0']));
    el.filter = 'Q3';
    await vi.waitFor(() => expect(names(el)).toEqual(['q3']));
    el.filter = '';
    el.sort = '';
    await vi.waitFor(() => expect(names(el)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']));
  });

  it('keeps filter and sort itself when nobody handles the navigation', async () => {
    const { el } = await mount();
    const seen = navigations(el);
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    type(el, 'EXP');
    await vi.waitFor(() => expect(names(el)).toEqual(['exports']));
    expect(el.filter).toBe('EXP');
    expect(seen).toEqual([{ path: '?filter=EXP', replace: true }]);
  });

  it('updates counts in place on a live overview event', async () => {
    const { el, push, callsOf } = await mount();
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    const before = row(el, 'memory:emails')!;
    const cell = () => text(row(el, 'memory:emails')!.querySelectorAll('[role=cell]')[1]);
    expect(cell()).toBe('12');
    const next = fakeOverview();
    next.queues[0] = { ...next.queues[0]!, counts: { ...next.queues[0]!.counts, waiting: 4321 } };
    push({ type: 'overview', overview: next });
    await vi.waitFor(() => expect(cell()).toBe('4,321'));
    expect(row(el, 'memory:emails')).toBe(before);
    expect(text(el.shadowRoot!.querySelector('.summary'))).toContain('4,326 waiting');
    // Live updates do not ask for the overview; the throughput waits its minute.
    expect(callsOf('overview')).toHaveLength(0);
    expect(callsOf('throughput')).toHaveLength(1);
  });

  it('renews the throughput on live updates at most once a minute', async () => {
    let now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const { el, push, callsOf } = await mount();
    await vi.waitFor(() => expect(callsOf('throughput')).toHaveLength(1));
    push({ type: 'overview', overview: fakeOverview() });
    now += 30_000;
    push({ type: 'overview', overview: fakeOverview() });
    await el.updateComplete;
    expect(callsOf('throughput')).toHaveLength(1);
    now += 31_000;
    push({ type: 'overview', overview: fakeOverview() });
    await vi.waitFor(() => expect(callsOf('throughput')).toHaveLength(2));
    push({ type: 'overview', overview: fakeOverview() });
    await el.updateComplete;
    expect(callsOf('throughput')).toHaveLength(2);
  });

  it('asks for the overview once when the live feed has none yet', async () => {
    const { el, callsOf } = await mount({}, { events: () => new Promise<void>(() => {}) });
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    expect(callsOf('overview')).toHaveLength(1);
    expect(callsOf('overview')[0]![0]).toMatchObject({ signal: expect.any(AbortSignal) });
  });

  it('shows a failure to load the overview, and retries', async () => {
    let fail = true;
    const { el } = await mount(
      {},
      {
        events: () => new Promise<void>(() => {}),
        overview: async () => {
          if (fail) throw new Error('503 Service Unavailable');
          return fakeOverview();
        },
      },
    );
    expect(el.shadowRoot!.querySelector('[role=status]')?.textContent).toContain('Loading');
    await vi.waitFor(() =>
      expect(text(el.shadowRoot!.querySelector('[role=alert]'))).toContain(
        '503 Service Unavailable',
      ),
    );
    fail = false;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[role=alert] button')!.click();
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
  });

  it('says when the sparklines cannot be loaded', async () => {
    const { el } = await mount(
      {},
      {
        throughput: async () => {
          throw new Error('metrics are disabled');
        },
      },
    );
    await vi.waitFor(() =>
      expect(text(el.shadowRoot!.querySelector('.note'))).toContain('metrics are disabled'),
    );
    expect(names(el)).toHaveLength(3);
  });

  it('focuses the filter box and moves through the rows from the keyboard', async () => {
    const { el } = await mount();
    await vi.waitFor(() => expect(names(el)).toHaveLength(3));
    el.focusSearch();
    expect(el.shadowRoot!.activeElement).toBe(el.shadowRoot!.querySelector('input[type=search]'));
    el.moveFocus(1);
    el.moveFocus(1);
    await vi.waitFor(() => expect(row(el, 'memory:exports')!.classList).toContain('focused'));
    await vi.waitFor(() =>
      expect(list(el).shadowRoot!.activeElement).toBe(
        row(el, 'memory:exports')!.querySelector('a'),
      ),
    );
  });

  it('lists 1,000 queues with only a window of rows in the DOM', async () => {
    const overview = withQueues(1000);
    overview.backends = [overview.backends[0]!];
    const { el } = await mount({ sort: '-backlog' }, { events: streamOf(overview) });
    await vi.waitFor(() => expect(names(el)[0]).toBe('q999'));
    const rendered = list(el).shadowRoot!.querySelectorAll('[role=row][data-queue-id]').length;
    expect(rendered).toBeLessThan(100);
    expect(text(el.shadowRoot!.querySelector('.summary'))).toContain('1,000 queues');
  });
});

/** A live stream that opens with `overview`. */
function streamOf(overview: Overview): NonNullable<FakeHandlers['events']> {
  return (onEvent, options = {}) =>
    new Promise<void>((resolve) => {
      options.onOpen?.();
      onEvent({ type: 'overview', overview });
      options.signal?.addEventListener('abort', () => resolve());
    });
}
