import { QadminApiError } from '@qadmin/client';
import type { Overview } from '@qadmin/core';
import { Cron } from 'croner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import {
  createFakeApi,
  type FakeHandlers,
  fakeOverview,
  fakeQueue,
} from '../../test-support/fake-api';
import { describeCron } from './cron-describe';
import { QadminSchedules } from './schedules';

if (!customElements.get('qadmin-schedules'))
  customElements.define('qadmin-schedules', QadminSchedules);

const noSchedules = {
  ...fakeQueue().capabilities,
  schedules: { read: false, write: false, intervals: false, multiple: false },
};

/** Shaped like pg-boss 10: cron only, one schedule per queue, jobs named after it. */
const cronOnlySingle = {
  ...fakeQueue().capabilities,
  jobNames: false,
  schedules: { read: true, write: true, intervals: false, multiple: false },
};

/** Exports' backend has no schedules; the others read and write them. */
const queue: FakeHandlers['queue'] = async (queueId) =>
  queueId === 'memory:exports'
    ? fakeQueue({ id: queueId, name: 'exports', capabilities: noSchedules })
    : fakeQueue({ id: queueId, name: queueId.slice(queueId.indexOf(':') + 1) });

function withOverview(overview: Overview): FakeHandlers['events'] {
  return (onEvent, options = {}) =>
    new Promise<void>((resolve) => {
      options.onOpen?.();
      onEvent({ type: 'overview', overview });
      options.signal?.addEventListener('abort', () => resolve());
    });
}

async function mount(handlers: FakeHandlers = {}, queueId = '') {
  const fake = createFakeApi({ queue, ...handlers });
  const el = document.createElement('qadmin-schedules');
  el.api = fake.api;
  el.queueId = queueId;
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

const root = (el: HTMLElement) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) =>
  root(el).querySelector<T>(selector);

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  select.dispatchEvent(new Event('change'));
}

async function openForm(el: HTMLElement) {
  await vi.waitFor(() => expect($(el, 'header button.primary')).not.toBeNull());
  $<HTMLButtonElement>(el, 'header button.primary')!.click();
  await vi.waitFor(() => expect($(el, 'form.create')).not.toBeNull());
}

describe('qadmin-schedules', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists the schedules of every queue whose backend has them', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(root(el).querySelectorAll('tbody tr')).toHaveLength(2));
    expect(
      callsOf('queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['memory:emails', 'memory:exports', 'redis:webhooks']);
    expect(
      callsOf('schedules')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['memory:emails', 'redis:webhooks']);
    const row = root(el).querySelector('tbody tr')!;
    const text = row.textContent!.replace(/\s+/g, ' ');
    expect(row.querySelector('a')!.textContent).toBe('emails');
    expect(text).toContain('nightly');
    expect(text).toContain('digest');
    expect(row.querySelector('code')!.textContent).toBe('0 3 * * *');
    expect(text).toContain('At 03:00 every day');
    expect(text).toContain('UTC');
    expect(row.querySelectorAll('time')).toHaveLength(2);
    expect(row.querySelector('td.data')!.textContent!.trim()).toBe('{}');
    await expectAccessible(el);
  });

  it('says so when the queue does not support schedules', async () => {
    const { el, callsOf } = await mount({}, 'memory:exports');
    await vi.waitFor(() =>
      expect($(el, '.empty')?.textContent).toContain('This backend does not support schedules'),
    );
    expect(callsOf('schedules')).toHaveLength(0);
    expect($(el, 'header button')).toBeNull();
  });

  it('previews the next runs of a cron expression with croner, or its error', async () => {
    const { el } = await mount({}, 'memory:emails');
    await openForm(el);
    choose($<HTMLSelectElement>(el, '#f-tz')!, 'UTC');
    type($<HTMLInputElement>(el, '#f-pattern')!, '30 4 * * 1-5');
    await vi.waitFor(() => expect(root(el).querySelectorAll('.runs li')).toHaveLength(5));
    const expected = new Cron('30 4 * * 1-5', { timezone: 'UTC', paused: true })
      .nextRuns(5)
      .map((date) => date.toISOString());
    expect(
      [...root(el).querySelectorAll('.runs time')].map((t) => t.getAttribute('datetime')),
    ).toEqual(expected);
    expect($(el, '.preview')!.textContent).toContain('At 04:30 on Monday–Friday');
    await expectAccessible(el);

    type($<HTMLInputElement>(el, '#f-pattern')!, '61 * * * *');
    await vi.waitFor(() => expect($(el, '.preview .cron-error')).not.toBeNull());
    expect(root(el).querySelectorAll('.runs li')).toHaveLength(0);
    type($<HTMLInputElement>(el, '#f-pattern')!, 'every day');
    await vi.waitFor(() =>
      expect($(el, '.preview .cron-error')?.textContent).toContain('5 or 6 fields'),
    );
  });

  it('creates a cron schedule with the input the form describes', async () => {
    const { el, callsOf } = await mount();
    const saved: unknown[] = [];
    el.addEventListener('qadmin-schedule-saved', (event) => saved.push(event.detail));
    await openForm(el);
    const queues = [...root(el).querySelectorAll('#f-queue option')].map((o) =>
      o.getAttribute('value'),
    );
    expect(queues).toEqual(['memory:emails', 'redis:webhooks']);
    choose($<HTMLSelectElement>(el, '#f-queue')!, 'redis:webhooks');
    type($<HTMLInputElement>(el, '#f-id')!, 'hourly-sync');
    type($<HTMLInputElement>(el, '#f-name')!, 'sync');
    type($<HTMLInputElement>(el, '#f-pattern')!, '0 * * * *');
    choose($<HTMLSelectElement>(el, '#f-tz')!, 'Europe/Paris');
    type($<HTMLTextAreaElement>(el, '#f-data')!, '{ "full": false }');
    await el.updateComplete;
    const before = callsOf('schedules').length;
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() => expect(callsOf('upsertSchedule')).toHaveLength(1));
    expect(callsOf('upsertSchedule')[0]!.slice(0, 2)).toEqual([
      'redis:webhooks',
      {
        id: 'hourly-sync',
        jobName: 'sync',
        pattern: '0 * * * *',
        timezone: 'Europe/Paris',
        data: { full: false },
      },
    ]);
    await vi.waitFor(() => expect($(el, 'form.create')).toBeNull());
    expect(saved).toHaveLength(1);
    expect($(el, '.notice')!.textContent).toContain('hourly-sync');
    await vi.waitFor(() => expect(callsOf('schedules').length).toBeGreaterThan(before));
  });

  it('creates an interval schedule', async () => {
    const { el, callsOf } = await mount({}, 'memory:emails');
    await openForm(el);
    type($<HTMLInputElement>(el, '#f-id')!, 'poll');
    type($<HTMLInputElement>(el, '#f-name')!, 'poll-inbox');
    root(el).querySelector<HTMLInputElement>('input[value=every]')!.click();
    await el.updateComplete;
    type($<HTMLInputElement>(el, '#f-every')!, '5');
    choose(root(el).querySelector<HTMLSelectElement>('select[aria-label=Unit]')!, '60000');
    await el.updateComplete;
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() => expect(callsOf('upsertSchedule')).toHaveLength(1));
    expect(callsOf('upsertSchedule')[0]!.slice(0, 2)).toEqual([
      'memory:emails',
      { id: 'poll', jobName: 'poll-inbox', everyMs: 300_000 },
    ]);
  });

  it('offers no interval, id or job name where the queue has one cron schedule named after it', async () => {
    const { el, callsOf } = await mount({
      queue: async (queueId) =>
        queueId === 'pgboss:reports'
          ? fakeQueue({ id: queueId, name: 'reports', capabilities: cronOnlySingle })
          : fakeQueue({ id: queueId, name: queueId.slice(queueId.indexOf(':') + 1) }),
      events: withOverview(
        fakeOverview({
          queues: [
            ...fakeOverview().queues,
            {
              ...fakeOverview().queues[0]!,
              id: 'pgboss:reports',
              backend: 'pgboss',
              name: 'reports',
            },
          ],
        }),
      ),
    });
    await openForm(el);
    // A queue with every option first: the full form, left on a fixed interval.
    choose($<HTMLSelectElement>(el, '#f-queue')!, 'memory:emails');
    root(el).querySelector<HTMLInputElement>('input[value=every]')!.click();
    await el.updateComplete;
    expect($(el, '#f-id')).not.toBeNull();
    expect($(el, '#f-name')).not.toBeNull();
    expect($(el, '#f-every')).not.toBeNull();

    choose($<HTMLSelectElement>(el, '#f-queue')!, 'pgboss:reports');
    await el.updateComplete;
    expect($(el, '#f-id'), 'no id field').toBeNull();
    expect($(el, '.single-id code')!.textContent).toBe('default');
    expect($(el, '#f-name'), 'no job name field').toBeNull();
    expect($(el, '[role=radiogroup]'), 'no choice of interval').toBeNull();
    expect($(el, '#f-every')).toBeNull();
    type($<HTMLInputElement>(el, '#f-pattern')!, '0 6 * * *');
    choose($<HTMLSelectElement>(el, '#f-tz')!, 'UTC');
    await el.updateComplete;
    await expectAccessible(el);
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() => expect(callsOf('upsertSchedule')).toHaveLength(1));
    expect(callsOf('upsertSchedule')[0]!.slice(0, 2)).toEqual([
      'pgboss:reports',
      { id: 'default', jobName: 'reports', pattern: '0 6 * * *', timezone: 'UTC' },
    ]);
  });

  it('checks the data is JSON before sending', async () => {
    const { el, callsOf } = await mount({}, 'memory:emails');
    await openForm(el);
    type($<HTMLInputElement>(el, '#f-id')!, 'x');
    type($<HTMLInputElement>(el, '#f-name')!, 'x');
    type($<HTMLInputElement>(el, '#f-pattern')!, '* * * * *');
    type($<HTMLTextAreaElement>(el, '#f-data')!, '{ to: 1 }');
    await el.updateComplete;
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() => expect($(el, '#error-data')?.textContent).toContain('Not valid JSON'));
    expect($(el, '#f-data')!.getAttribute('aria-invalid')).toBe('true');
    expect(callsOf('upsertSchedule')).toHaveLength(0);
  });

  it('shows a server error next to the field it names', async () => {
    const { el } = await mount(
      {
        upsertSchedule: async () => {
          throw new QadminApiError({
            type: 'https://qadmin.dev/problems/invalid-input',
            title: 'Invalid input',
            status: 400,
            detail: 'Unknown IANA time zone',
            field: 'body.timezone',
          });
        },
      },
      'memory:emails',
    );
    await openForm(el);
    type($<HTMLInputElement>(el, '#f-id')!, 'nightly');
    type($<HTMLInputElement>(el, '#f-name')!, 'digest');
    type($<HTMLInputElement>(el, '#f-pattern')!, '0 3 * * *');
    await el.updateComplete;
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() =>
      expect($(el, '#error-timezone')?.textContent).toBe('Unknown IANA time zone'),
    );
    const select = $(el, '#f-tz')!;
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(select.getAttribute('aria-describedby')).toBe('error-timezone');
    expect($(el, 'form.create')).not.toBeNull();
  });

  it('shows a server error without a field on the form', async () => {
    const { el } = await mount(
      {
        upsertSchedule: async () => {
          throw new Error('Backend redis is unreachable');
        },
      },
      'memory:emails',
    );
    await openForm(el);
    type($<HTMLInputElement>(el, '#f-id')!, 'nightly');
    type($<HTMLInputElement>(el, '#f-name')!, 'digest');
    type($<HTMLInputElement>(el, '#f-pattern')!, '0 3 * * *');
    await el.updateComplete;
    $<HTMLButtonElement>(el, 'form.create button[type=submit]')!.click();
    await vi.waitFor(() =>
      expect($(el, 'form.create [role=alert]')?.textContent).toContain(
        'Backend redis is unreachable',
      ),
    );
  });

  it('edits a schedule in the form, prefilled', async () => {
    const { el } = await mount({}, 'memory:emails');
    await vi.waitFor(() =>
      expect($(el, 'button[aria-label^="Edit schedule nightly"]')).not.toBeNull(),
    );
    $<HTMLButtonElement>(el, 'button[aria-label^="Edit schedule nightly"]')!.click();
    await vi.waitFor(() => expect($(el, 'form.create')).not.toBeNull());
    expect($<HTMLInputElement>(el, '#f-id')!.value).toBe('nightly');
    expect($<HTMLInputElement>(el, '#f-pattern')!.value).toBe('0 3 * * *');
    expect($<HTMLSelectElement>(el, '#f-tz')!.value).toBe('UTC');
  });

  it('removes a schedule after asking', async () => {
    const { el, callsOf } = await mount({}, 'memory:emails');
    const removed: unknown[] = [];
    el.addEventListener('qadmin-schedule-removed', (event) => removed.push(event.detail));
    await vi.waitFor(() =>
      expect($(el, 'button[aria-label^="Remove schedule nightly"]')).not.toBeNull(),
    );
    $<HTMLButtonElement>(el, 'button[aria-label^="Remove schedule nightly"]')!.click();
    await el.updateComplete;
    const dialog = $<HTMLDialogElement>(el, 'dialog')!;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain('nightly');
    expect(callsOf('removeSchedule')).toHaveLength(0);
    dialog.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() => expect(dialog.open).toBe(false));
    expect(callsOf('removeSchedule')).toEqual([['memory:emails', 'nightly']]);
    expect(removed).toEqual([{ queueId: 'memory:emails', scheduleId: 'nightly' }]);
  });

  it('shows a failed removal in the dialog', async () => {
    const { el } = await mount(
      {
        removeSchedule: async () => {
          throw new Error('Not found: schedule nightly');
        },
      },
      'memory:emails',
    );
    await vi.waitFor(() => expect($(el, 'button[aria-label^="Remove schedule"]')).not.toBeNull());
    $<HTMLButtonElement>(el, 'button[aria-label^="Remove schedule"]')!.click();
    await el.updateComplete;
    const dialog = $<HTMLDialogElement>(el, 'dialog')!;
    dialog.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() =>
      expect(dialog.querySelector('[role=alert]')?.textContent).toContain('Not found'),
    );
    expect(dialog.open).toBe(true);
  });

  it('offers no form and no removal when read-only', async () => {
    const { el } = await mount({ events: withOverview(fakeOverview({ readOnly: true })) });
    await vi.waitFor(() => expect(root(el).querySelectorAll('tbody tr')).toHaveLength(2));
    expect(root(el).querySelectorAll('button')).toHaveLength(0);
    expect($(el, 'form')).toBeNull();
  });

  it('offers no form on a queue whose backend only reads schedules', async () => {
    const { el } = await mount({
      queue: async (queueId) =>
        fakeQueue({
          id: queueId,
          capabilities: {
            ...fakeQueue().capabilities,
            schedules: { read: true, write: false, intervals: true, multiple: true },
          },
        }),
    });
    await vi.waitFor(() => expect(root(el).querySelectorAll('tbody tr')).toHaveLength(3));
    expect(root(el).querySelectorAll('button')).toHaveLength(0);
  });

  it('shows a queue whose schedules cannot be read beside the others', async () => {
    const { el } = await mount({
      schedules: async (queueId) => {
        if (queueId === 'redis:webhooks') throw new Error('NOAUTH Authentication required');
        return [];
      },
    });
    await vi.waitFor(() => expect($(el, '[role=alert]')?.textContent).toContain('NOAUTH'));
    expect($(el, '[role=alert]')!.textContent).toContain('webhooks');
  });
});

describe('describeCron', () => {
  it.each([
    ['* * * * *', 'Every minute'],
    ['*/5 * * * *', 'Every 5 minutes'],
    ['15 * * * *', 'Every hour at :15'],
    ['0 */6 * * *', 'Every 6 hours at :00'],
    ['0 3 * * *', 'At 03:00 every day'],
    ['0 0 3 * * *', 'At 03:00 every day'],
    ['30 9 * * 1-5', 'At 09:30 on Monday–Friday'],
    ['0 9,17 * * MON,WED', 'At 09:00 and 17:00 on Monday and Wednesday'],
    ['0 0 1 * *', 'At 00:00 on day 1 of the month'],
    ['0 0 1 1 *', 'At 00:00 on day 1 of the month in January'],
    ['@hourly', 'Every hour at :00'],
    ['0 9-17 * * *', 'Every hour at :00 from 09:00 to 17:59'],
    ['0 0 L * *', ''],
    ['*/10 * * * * *', ''],
  ])('%s -> %s', (pattern, description) => {
    expect(describeCron(pattern)).toBe(description);
  });
});
