import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NavigateDetail } from '../../shared/routes';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, fakeOverview } from '../../test-support/fake-api';
import { QadminWorkers } from './workers';

if (!customElements.get('qadmin-workers')) customElements.define('qadmin-workers', QadminWorkers);

async function mount(fake = createFakeApi(), queueId = '') {
  const el = document.createElement('qadmin-workers');
  el.api = fake.api;
  el.queueId = queueId;
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

const root = (el: HTMLElement) => el.shadowRoot!;

describe('qadmin-workers', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists the workers with their queues, backend and load', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(root(el).querySelector('tbody tr')).not.toBeNull());
    expect(callsOf('workers')[0]![0]).toBeUndefined();
    const cells = [...root(el).querySelectorAll('tbody tr td')].map((td) => td.textContent!.trim());
    expect(cells[0]).toContain('mailer');
    expect(cells[0]).toContain('mailer-1');
    expect(cells[1]).toBe('in-memory');
    expect(cells[3]).toBe('10.0.0.7');
    expect(cells[6]).toBe('0 ms');
    expect(cells[7]).toBe('4');
    expect(cells[8]).toBe('1');
    const link = root(el).querySelector<HTMLAnchorElement>('td.queues a')!;
    expect(link.textContent).toBe('emails');
    expect(link.href).toMatch(/queues\/memory%3Aemails$/);
    expect(root(el).querySelectorAll('td time')).toHaveLength(2);
    await expectAccessible(el);
  });

  it('filters by queue through a navigate event, and applies it when nobody handles it', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(root(el).querySelectorAll('select option').length).toBe(4));
    const events: NavigateDetail[] = [];
    el.addEventListener('qadmin-navigate', (event) => events.push(event.detail));
    const select = root(el).querySelector('select')!;
    select.value = 'redis:webhooks';
    select.dispatchEvent(new Event('change'));
    expect(events).toEqual([{ path: 'workers?queue=redis%3Awebhooks', replace: true }]);
    await vi.waitFor(() => expect(callsOf('workers').at(-1)?.[0]).toBe('redis:webhooks'));
  });

  it('leaves the filter to the app when it handles the navigate event', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(root(el).querySelectorAll('select option').length).toBe(4));
    el.addEventListener('qadmin-navigate', (event) => event.preventDefault());
    const select = root(el).querySelector('select')!;
    select.value = 'memory:exports';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.queueId).toBe('');
    expect(callsOf('workers')).toHaveLength(1);
  });

  it('says no worker is connected and points at the waiting jobs', async () => {
    const { el } = await mount(createFakeApi({ workers: async () => [] }));
    await vi.waitFor(() =>
      expect(root(el).querySelector('.empty')?.textContent).toContain('No workers are connected'),
    );
    const hint = root(el).querySelector('.hint')!.textContent!.replace(/\s+/g, ' ');
    expect(hint).toContain('17 jobs are waiting in emails, exports');
    await expectAccessible(el);
  });

  it('shows the hint only for the filtered queue', async () => {
    const { el } = await mount(createFakeApi({ workers: async () => [] }), 'redis:webhooks');
    await vi.waitFor(() =>
      expect(root(el).querySelector('.empty')?.textContent).toContain(
        'No workers are connected to this queue',
      ),
    );
    expect(root(el).querySelector('.hint')!.textContent).toContain('once they connect');
  });

  it('shows a failure to load', async () => {
    const { el } = await mount(
      createFakeApi({
        workers: async () => {
          throw new Error('backend redis is unreachable');
        },
      }),
    );
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=alert]')?.textContent).toContain(
        'backend redis is unreachable',
      ),
    );
  });

  it('refreshes on overview events, at most every 5 s', async () => {
    const fake = createFakeApi();
    const { el, callsOf } = await mount(fake);
    await vi.waitFor(() => expect(root(el).querySelector('tbody tr')).not.toBeNull());
    fake.push({ type: 'overview', overview: fakeOverview() });
    fake.push({ type: 'overview', overview: fakeOverview() });
    expect(callsOf('workers')).toHaveLength(1);
    await vi.waitFor(() => expect(callsOf('workers')).toHaveLength(2), { timeout: 8000 });
    fake.push({ type: 'overview', overview: fakeOverview() });
    expect(callsOf('workers')).toHaveLength(2);
  });
});
