import type { ApiMetrics, MetricRange } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateDetail } from '../../shared/routes';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeHandlers, fakeQueue } from '../../test-support/fake-api';
import { QadminMetrics } from './metrics';

if (!customElements.get('qadmin-metrics')) customElements.define('qadmin-metrics', QadminMetrics);

const now = Date.UTC(2026, 10, 25, 12, 0, 0);

/** 60 one-minute buckets: 10 completed and 1 failed each, with durations. */
async function withDurations(queueId: string, range: MetricRange = '1h'): Promise<ApiMetrics> {
  return {
    queueId,
    range,
    from: now - 3_600_000,
    to: now,
    bucketMs: 60_000,
    buckets: Array.from({ length: 60 }, (_, i) => ({
      start: now - 3_600_000 + i * 60_000,
      completed: 10,
      failed: 1,
      waitMs: { p50: 20 + i, p95: 80 + i, p99: 200 + i },
      processMs: { p50: 150, p95: 900, p99: 2400 },
    })),
  };
}

async function mount(
  handlers: FakeHandlers = {},
  props: { queueId?: string; range?: string } = {},
) {
  const fake = createFakeApi(handlers);
  const el = document.createElement('qadmin-metrics');
  el.api = fake.api;
  el.style.width = '800px';
  if (props.queueId !== undefined) el.queueId = props.queueId;
  if (props.range !== undefined) el.range = props.range;
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

const root = (el: HTMLElement) => el.shadowRoot!;
const totals = (el: HTMLElement) =>
  Object.fromEntries(
    [...root(el).querySelectorAll('.totals > div')].map((div) => [
      div.querySelector('dt')!.textContent!.trim(),
      div.querySelector('dd')!.textContent!.trim(),
    ]),
  );

describe('qadmin-metrics', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows the totals and draws the charts with uPlot', async () => {
    const { el, callsOf } = await mount({ metrics: withDurations }, { queueId: 'memory:emails' });
    await vi.waitFor(() => expect(root(el).querySelectorAll('.plot canvas')).toHaveLength(3));
    expect(callsOf('metrics')[0]!.slice(0, 2)).toEqual(['memory:emails', '1h']);
    expect(totals(el)).toEqual({
      Completed: '600',
      Failed: '60',
      'Failure rate': expect.stringMatching(/^9\.1\s?%$/),
      'Per minute': '11',
    });
    expect(root(el).querySelectorAll('.uplot')).toHaveLength(3);
    for (const plot of root(el).querySelectorAll<HTMLElement>('.plot')) {
      expect(plot.getAttribute('role')).toBe('img');
      expect(plot.getAttribute('aria-label')).toBeTruthy();
    }
    await expectAccessible(el);
  });

  it('draws only throughput when the backend records no durations, and says so', async () => {
    const { el } = await mount({}, { queueId: 'memory:emails' });
    await vi.waitFor(() => expect(root(el).querySelectorAll('.plot canvas')).toHaveLength(1));
    expect(totals(el).Completed).toBe('1,722');
    expect(totals(el).Failed).toBe('28');
    expect(root(el).querySelector('.note')!.textContent).toContain('wait and processing');
  });

  it('has the same numbers in a table', async () => {
    const { el } = await mount({ metrics: withDurations }, { queueId: 'memory:emails' });
    await vi.waitFor(() => expect(root(el).querySelector('details')).not.toBeNull());
    const details = root(el).querySelector('details')!;
    details.open = true;
    await vi.waitFor(() => expect(root(el).querySelectorAll('details tbody tr')).toHaveLength(60));
    const cells = [...root(el).querySelectorAll('details tbody tr')[0]!.querySelectorAll('td')].map(
      (td) => td.textContent!.trim(),
    );
    expect(cells).toEqual(['10', '1', '20 ms', '80 ms', '200 ms', '150 ms', '900 ms', '2.4 s']);
    await expectAccessible(el);
  });

  it('changes the range through a navigate event and refetches', async () => {
    const { el, callsOf } = await mount({}, { queueId: 'memory:emails' });
    await vi.waitFor(() => expect(root(el).querySelectorAll('.plot canvas')).toHaveLength(1));
    const events: NavigateDetail[] = [];
    el.addEventListener('qadmin-navigate', (event) => events.push(event.detail));
    const radio = root(el).querySelector<HTMLInputElement>('input[value="24h"]')!;
    radio.click();
    expect(events).toEqual([{ path: 'charts?queue=memory%3Aemails&range=24h', replace: true }]);
    await vi.waitFor(() =>
      expect(callsOf('metrics').at(-1)!.slice(0, 2)).toEqual(['memory:emails', '24h']),
    );
    expect(el.range).toBe('24h');
  });

  it('picks the first queue with metrics when none is given, and switches queue', async () => {
    const { el, callsOf } = await mount({
      throughput: async () => ({
        from: now - 3_600_000,
        to: now,
        bucketMs: 300_000,
        queues: { 'redis:webhooks': { completed: [1], failed: [0] } },
      }),
    });
    await vi.waitFor(() => expect(callsOf('metrics')[0]?.[0]).toBe('redis:webhooks'));
    await vi.waitFor(() => expect(root(el).querySelector('select')!.value).toBe('redis:webhooks'));
    const events: NavigateDetail[] = [];
    el.addEventListener('qadmin-navigate', (event) => events.push(event.detail));
    const select = root(el).querySelector('select')!;
    select.value = 'memory:emails';
    select.dispatchEvent(new Event('change'));
    expect(events).toEqual([{ path: 'charts?queue=memory%3Aemails&range=1h', replace: true }]);
    await vi.waitFor(() => expect(callsOf('metrics').at(-1)?.[0]).toBe('memory:emails'));
  });

  it('says when the backend does not record metrics', async () => {
    const { el, callsOf } = await mount(
      {
        queue: async (queueId) =>
          fakeQueue({ id: queueId, capabilities: { ...fakeQueue().capabilities, metrics: false } }),
      },
      { queueId: 'memory:exports' },
    );
    await vi.waitFor(() =>
      expect(root(el).querySelector('.empty')?.textContent).toContain(
        'This backend does not record metrics',
      ),
    );
    expect(callsOf('metrics')).toHaveLength(0);
    expect(root(el).querySelector('canvas')).toBeNull();
    await expectAccessible(el);
  });

  it('shows a failure to load', async () => {
    const { el } = await mount(
      {
        metrics: async () => {
          throw new Error('Backend redis is unreachable');
        },
      },
      { queueId: 'memory:emails' },
    );
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=alert]')?.textContent).toContain(
        'Backend redis is unreachable',
      ),
    );
  });

  it('redraws with the colours of a forced theme', async () => {
    const { el } = await mount({}, { queueId: 'memory:emails' });
    await vi.waitFor(() => expect(root(el).querySelectorAll('.plot canvas')).toHaveLength(1));
    const before = root(el).querySelector('.uplot');
    el.style.colorScheme = 'dark';
    await vi.waitFor(() => expect(root(el).querySelector('.uplot')).not.toBe(before));
    expect(root(el).querySelectorAll('.uplot')).toHaveLength(1);
  });
});
