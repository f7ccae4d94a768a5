import type { Overview, QueueOverview } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, fakeOverview } from '../../test-support/fake-api';
import { QadminSparkline } from '../sparkline/sparkline';
import { QadminQueueList } from './queue-list';

if (!customElements.get('qadmin-queue-list'))
  customElements.define('qadmin-queue-list', QadminQueueList);
if (!customElements.get('qadmin-sparkline'))
  customElements.define('qadmin-sparkline', QadminSparkline);

const throughput = {
  'memory:emails': { completed: [30, 28, 35, 40], failed: [0, 1, 0, 3] },
  'redis:webhooks': { completed: [7, 7, 7, 7], failed: [3, 3, 3, 3] },
};

function queue(id: string, overrides: Partial<QueueOverview> = {}): QueueOverview {
  const [backend, name] = id.split(':') as [string, string];
  return {
    id,
    backend,
    name,
    counts: { waiting: 0, active: 0, completed: 0, failed: 0 },
    paused: false,
    workers: 1,
    meta: {},
    ...overrides,
  };
}

/** A big overview: `count` queues of one backend, counts varying with the index. */
function bigOverview(count: number): Overview {
  const base = fakeOverview();
  return {
    ...base,
    backends: [{ ...base.backends[0]!, queueCount: count }],
    queues: Array.from({ length: count }, (_, i) =>
      queue(`memory:queue-${String(i).padStart(4, '0')}`, {
        counts: { waiting: (i * 37) % 101, active: i % 5, completed: i * 10, failed: i % 13 },
        workers: (i % 3) + 1,
      }),
    ),
  };
}

/** The fake queues, all in one backend (no group headings). */
function oneBackend(): QueueOverview[] {
  return fakeOverview().queues.map((q) => ({ ...q, backend: 'memory', id: `memory:${q.name}` }));
}

async function mount(props: Partial<QadminQueueList> = {}, api = createFakeApi()) {
  const el = document.createElement('qadmin-queue-list');
  el.api = api.api;
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return { el, ...api };
}

function rows(el: QadminQueueList): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role=row][data-queue-id]')];
}

function names(el: QadminQueueList): string[] {
  return rows(el).map((row) => row.querySelector('a')!.textContent!.trim());
}

function headers(el: QadminQueueList): string[] {
  return [...el.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) =>
    h.textContent!.replace(/[↑↓]/g, '').trim(),
  );
}

function header(el: QadminQueueList, label: string): HTMLElement {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role=columnheader]')].find(
    (h) => h.textContent!.replace(/[↑↓]/g, '').trim() === label,
  )!;
}

function row(el: QadminQueueList, queueId: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[data-queue-id="${queueId}"]`);
}

/** The text of each cell of a row, by column header. */
function cells(el: QadminQueueList, queueId: string): Record<string, string> {
  const labels = headers(el);
  const values = [...row(el, queueId)!.querySelectorAll('[role=cell]')].map((c) =>
    c.textContent!.replace(/\s+/g, ' ').trim(),
  );
  return Object.fromEntries(labels.map((label, i) => [label, values[i] ?? '']));
}

describe('qadmin-queue-list', () => {
  afterEach(() => {
    document.body.replaceChildren();
    window.scrollTo(0, 0);
  });

  it('shows each queue with its counts, workers, failure rate and throughput', async () => {
    const overview = fakeOverview();
    const { el } = await mount({ queues: overview.queues, throughput });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    expect(headers(el)).toEqual([
      'Queue',
      'Waiting',
      'Active',
      'Delayed',
      'Completed',
      'Failed',
      'Workers',
      'Fail rate',
      'Last hour',
    ]);
    expect(names(el)).toEqual(['emails', 'exports', 'webhooks']);
    expect(cells(el, 'memory:emails')).toMatchObject({
      Waiting: '12',
      Active: '2',
      Delayed: '1',
      Completed: '340',
      Failed: '7',
      Workers: '2',
      'Fail rate': '2%',
    });
    // A queue that does not report a state shows a dash, not a zero.
    expect(cells(el, 'memory:exports').Delayed).toBe('—');
    expect(cells(el, 'memory:exports')['Fail rate']).toBe('—');
    expect(cells(el, 'redis:webhooks')['Fail rate']).toBe('25%');
    const link = row(el, 'memory:emails')!.querySelector('a')!;
    expect(new URL(link.href).pathname).toMatch(/\/queues\/memory%3Aemails$/);
    expect(row(el, 'redis:webhooks')!.querySelector('.badge.paused')?.textContent).toBe('paused');
    expect(row(el, 'memory:emails')!.querySelector('.badge.paused')).toBeNull();
    const spark = row(el, 'memory:emails')!.querySelector('qadmin-sparkline')!;
    expect(spark.values).toEqual([30, 28, 35, 40]);
    expect(spark.failed).toEqual([0, 1, 0, 3]);
    expect(spark.label).toBe('133 completed, 4 failed in the last hour');
    expect(row(el, 'memory:exports')!.querySelector('qadmin-sparkline')!.label).toBe(
      'No throughput data',
    );
  });

  it('counts prioritized jobs as waiting and leaves out states no queue reports', async () => {
    const queues = [
      queue('memory:a', { counts: { waiting: 3, prioritized: 4, active: 1 } }),
      queue('memory:b', { counts: { waiting: 1, active: 0 } }),
    ];
    const { el } = await mount({ queues });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(2));
    expect(headers(el)).toEqual(['Queue', 'Waiting', 'Active', 'Workers', 'Fail rate']);
    expect(cells(el, 'memory:a').Waiting).toBe('7');
  });

  it('warns about waiting jobs without workers only when workers is 0', async () => {
    const queues = [
      queue('memory:stuck', { counts: { waiting: 5 }, workers: 0 }),
      queue('memory:stuck-prioritized', { counts: { waiting: 0, prioritized: 2 }, workers: 0 }),
      queue('memory:idle', { counts: { waiting: 0 }, workers: 0 }),
      queue('memory:unknown', { counts: { waiting: 5 }, workers: null }),
      queue('memory:busy', { counts: { waiting: 5 }, workers: 3 }),
    ];
    const { el } = await mount({ queues });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(5));
    const warned = rows(el)
      .filter((r) => r.querySelector('.no-workers'))
      .map((r) => r.dataset.queueId);
    expect(warned).toEqual(['memory:stuck', 'memory:stuck-prioritized']);
    expect(cells(el, 'memory:stuck').Workers).toContain('no workers');
    expect(cells(el, 'memory:idle').Workers).toBe('0');
    expect(cells(el, 'memory:unknown').Workers).toBe('—');
    expect(cells(el, 'memory:busy').Workers).toBe('3');
  });

  it('filters by name or backend, case-insensitively', async () => {
    const { el } = await mount({ queues: fakeOverview().queues });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    el.filter = 'WEB';
    await vi.waitFor(() => expect(names(el)).toEqual(['webhooks']));
    el.filter = 'memory';
    await vi.waitFor(() => expect(names(el)).toEqual(['emails', 'exports']));
    el.filter = 'nothing-like-this';
    await vi.waitFor(() => expect(rows(el)).toHaveLength(0));
    expect(el.shadowRoot!.querySelector('.message')!.textContent).toContain('No queue matches');
  });

  it('sorts by a column header click, with aria-sort, and tells the page', async () => {
    const { el } = await mount({ queues: oneBackend() });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    expect(header(el, 'Queue').getAttribute('aria-sort')).toBe('ascending');
    const sorts: string[] = [];
    el.addEventListener('qadmin-queue-list-sort', (e) => sorts.push(e.detail.sort));

    header(el, 'Failed').querySelector('button')!.click();
    await vi.waitFor(() => expect(names(el)).toEqual(['webhooks', 'emails', 'exports']));
    expect(header(el, 'Failed').getAttribute('aria-sort')).toBe('descending');
    expect(header(el, 'Queue').hasAttribute('aria-sort')).toBe(false);
    expect(el.sort).toBe('-failed');

    header(el, 'Failed').querySelector('button')!.click();
    await vi.waitFor(() => expect(names(el)).toEqual(['exports', 'emails', 'webhooks']));
    expect(header(el, 'Failed').getAttribute('aria-sort')).toBe('ascending');

    el.sort = '-backlog';
    await vi.waitFor(() => expect(names(el)).toEqual(['emails', 'exports', 'webhooks']));
    el.sort = '-failure-rate';
    // exports has no finished job: unknown rates go last.
    await vi.waitFor(() => expect(names(el)).toEqual(['webhooks', 'emails', 'exports']));
    expect(sorts).toEqual(['-failed', 'failed']);
  });

  it('groups by backend when there are several, with a heading each', async () => {
    const overview = fakeOverview();
    overview.backends[1] = { ...overview.backends[1]!, ok: false, error: 'ECONNREFUSED' };
    const { el } = await mount({ queues: overview.queues, backends: overview.backends });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    const groups = [...el.shadowRoot!.querySelectorAll('[role=row].group')];
    expect(groups.map((g) => g.querySelector('h2')!.textContent)).toEqual(['in-memory', 'BullMQ']);
    expect(groups[1]!.textContent).toContain('ECONNREFUSED');
    expect(el.shadowRoot!.querySelector('[role=table]')!.getAttribute('aria-rowcount')).toBe('6');
    await expectAccessible(el);
  });

  it('renders 1,000 queues with only a window of rows in the DOM', async () => {
    const overview = bigOverview(1000);
    const { el } = await mount({ queues: overview.queues, sort: '-backlog' });
    await vi.waitFor(() => expect(rows(el).length).toBeGreaterThan(5));
    expect(rows(el).length).toBeLessThan(100);
    const table = el.shadowRoot!.querySelector('[role=table]')!;
    expect(table.getAttribute('aria-rowcount')).toBe('1001');
    expect(rows(el)[0]!.getAttribute('aria-rowindex')).toBe('2');
    // Sorted by backlog, largest first, over all 1,000 (not only the rows in the DOM).
    const waiting = overview.queues.map((q) => q.counts.waiting!);
    expect(Number(cells(el, rows(el)[0]!.dataset.queueId!).Waiting)).toBe(Math.max(...waiting));

    el.sort = '';
    await vi.waitFor(() => expect(names(el)[0]).toBe('queue-0000'));
    expect(row(el, 'memory:queue-0999')).toBeNull();
    window.scrollTo(0, document.documentElement.scrollHeight);
    await vi.waitFor(() => expect(row(el, 'memory:queue-0999')).not.toBeNull());
    expect(rows(el).length).toBeLessThan(100);
    expect(row(el, 'memory:queue-0999')!.getAttribute('aria-rowindex')).toBe('1001');
  });

  it('does not sort again when nothing changed', async () => {
    const overview = bigOverview(200);
    const { el } = await mount({ queues: overview.queues, sort: '-failed' });
    await vi.waitFor(() => expect(rows(el).length).toBeGreaterThan(0));
    const spy = vi.spyOn(Array.prototype, 'sort');
    try {
      el.focusedId = 'memory:queue-0001';
      el.requestUpdate();
      await el.updateComplete;
      expect(spy).not.toHaveBeenCalled();
      el.filter = 'queue-01';
      await el.updateComplete;
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('moves a row highlight with moveFocus, and Enter opens the row', async () => {
    const { el } = await mount({ queues: oneBackend() });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    const selected: string[] = [];
    el.addEventListener('qadmin-queue-select', (e) => {
      selected.push(e.detail.queueId);
      e.preventDefault();
    });
    el.moveFocus(1);
    await vi.waitFor(() => expect(row(el, 'memory:emails')!.classList).toContain('focused'));
    el.moveFocus(1);
    await vi.waitFor(() => expect(row(el, 'memory:exports')!.classList).toContain('focused'));
    expect(row(el, 'memory:emails')!.classList).not.toContain('focused');
    await vi.waitFor(() =>
      expect(el.shadowRoot!.activeElement).toBe(row(el, 'memory:exports')!.querySelector('a')),
    );
    el.moveFocus(-1);
    el.moveFocus(-1);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.activeElement).toBe(row(el, 'memory:emails')!.querySelector('a')),
    );
    // Enter on a focused link activates it (a click).
    (el.shadowRoot!.activeElement as HTMLElement).click();
    expect(selected).toEqual(['memory:emails']);
  });

  it('brings a highlighted row back into view when it was scrolled away', async () => {
    const { el } = await mount({ queues: bigOverview(1000).queues });
    await vi.waitFor(() => expect(rows(el).length).toBeGreaterThan(5));
    el.moveFocus(1);
    await vi.waitFor(() => expect(row(el, 'memory:queue-0000')?.classList).toContain('focused'));
    window.scrollTo(0, document.documentElement.scrollHeight);
    await vi.waitFor(() => expect(row(el, 'memory:queue-0000')).toBeNull());
    el.moveFocus(1);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.activeElement).toBe(row(el, 'memory:queue-0001')?.querySelector('a')),
    );
    expect(row(el, 'memory:queue-0001')!.classList).toContain('focused');
  });

  it('emits qadmin-queue-select on activation, and follows the link unless cancelled', async () => {
    const { el } = await mount({ queues: oneBackend() });
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    let cancel = false;
    const selected: string[] = [];
    el.addEventListener('qadmin-queue-select', (e) => {
      expect(e.bubbles && e.composed && e.cancelable).toBe(true);
      selected.push(e.detail.queueId);
      if (cancel) e.preventDefault();
    });
    const clicks: boolean[] = [];
    // Stand in for the app, which routes link clicks itself; keep the test page where it is.
    const onClick = (e: MouseEvent) => {
      if (!e.composedPath().some((node) => node instanceof HTMLAnchorElement)) return;
      clicks.push(e.defaultPrevented);
      e.preventDefault();
    };
    document.addEventListener('click', onClick);
    try {
      // A click anywhere on the row opens it.
      (row(el, 'memory:webhooks')!.querySelector('.num') as HTMLElement).click();
      cancel = true;
      row(el, 'memory:emails')!.querySelector('a')!.click();
    } finally {
      document.removeEventListener('click', onClick);
    }
    expect(selected).toEqual(['memory:webhooks', 'memory:emails']);
    expect(clicks).toEqual([false, true]);
  });

  it('loads the live overview and the throughput itself when no queues are given', async () => {
    const fake = createFakeApi();
    const { el } = await mount({}, fake);
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    // The overview came with the live feed: no separate request.
    expect(fake.callsOf('overview')).toHaveLength(0);
    await vi.waitFor(() =>
      expect(row(el, 'memory:emails')!.querySelector('qadmin-sparkline')!.values).toHaveLength(12),
    );
    expect(fake.callsOf('throughput')).toHaveLength(1);
    expect(el.shadowRoot!.querySelectorAll('[role=row].group')).toHaveLength(2);

    const next = fakeOverview();
    next.queues[0] = { ...next.queues[0]!, counts: { ...next.queues[0]!.counts, failed: 99 } };
    const before = row(el, 'memory:emails');
    fake.push({ type: 'overview', overview: next });
    await vi.waitFor(() => expect(cells(el, 'memory:emails').Failed).toBe('99'));
    expect(row(el, 'memory:emails')).toBe(before);
    expect(fake.callsOf('throughput')).toHaveLength(1);
    await expectAccessible(el);
  });

  it('shows a failure to load, and retries', async () => {
    let fail = true;
    const fake = createFakeApi({
      // A stream that never delivers: the element has to ask for the overview.
      events: () => new Promise<void>(() => {}),
      overview: async () => {
        if (fail) throw new Error('502 Bad Gateway');
        return fakeOverview();
      },
    });
    const { el } = await mount({}, fake);
    await vi.waitFor(() =>
      expect(el.shadowRoot!.querySelector('[role=alert]')?.textContent).toContain(
        '502 Bad Gateway',
      ),
    );
    fail = false;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[role=alert] button')!.click();
    await vi.waitFor(() => expect(rows(el)).toHaveLength(3));
    expect(el.shadowRoot!.querySelector('[role=alert]')).toBeNull();
  });

  it('says so when there are no queues', async () => {
    const { el } = await mount({ queues: [] });
    expect(el.shadowRoot!.querySelector('.message')!.textContent).toContain('No queues yet');
    await expectAccessible(el);
  });
});
