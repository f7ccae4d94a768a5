import type { ApiJob, ApiJobPage, ApiJobSummary, Role } from '@qadmin/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import {
  createFakeApi,
  type FakeHandlers,
  type FakeOptions,
  fakeJob,
  fakeOverview,
  fakeQueue,
} from '../../test-support/fake-api';
import { QadminFailed } from './failed';

if (!customElements.get('qadmin-failed')) customElements.define('qadmin-failed', QadminFailed);

const now = Date.now();

function summary(job: ApiJob): ApiJobSummary {
  const { data, returnValue: _r, stacktrace: _s, options: _o, children, ...rest } = job;
  return { ...rest, dataPreview: JSON.stringify(data), childrenCount: children.length };
}

const JOBS: Record<string, ApiJobSummary[]> = {
  'memory:emails': [
    summary(fakeJob({ id: 'e1', finishedAt: now - 40_000, failedReason: 'SMTP 421' })),
    summary(fakeJob({ id: 'e2', finishedAt: now - 10_000, failedReason: 'mailbox full' })),
  ],
  'redis:webhooks': [
    summary(
      fakeJob({
        id: 'w1',
        queueId: 'redis:webhooks',
        name: 'deliver',
        finishedAt: now - 20_000,
        failedReason: 'HTTP 500',
      }),
    ),
    summary(
      fakeJob({
        id: 'w2',
        queueId: 'redis:webhooks',
        name: 'deliver',
        finishedAt: now - 5_000,
        failedReason: 'ETIMEDOUT',
      }),
    ),
  ],
};

function page(queueId: string): ApiJobPage {
  const jobs = JOBS[queueId] ?? [];
  return { queueId, state: 'failed', jobs, nextCursor: null, total: jobs.length, search: null };
}

async function mount(handlers: FakeHandlers = {}, options: FakeOptions = {}) {
  const fake = createFakeApi({ listJobs: async (queueId) => page(queueId), ...handlers }, options);
  const el = document.createElement('qadmin-failed');
  el.api = fake.api;
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

const root = (el: HTMLElement) => el.shadowRoot!;
const jobIds = (el: HTMLElement) =>
  [...root(el).querySelectorAll('tbody a.job')].map((a) => a.textContent!.trim());
const summaryLine = (el: HTMLElement, name: string) =>
  [...root(el).querySelectorAll('.summary li')].find(
    (li) => li.querySelector('.queue')?.textContent === name,
  ) as HTMLElement | undefined;

describe('qadmin-failed', () => {
  afterEach(() => document.body.replaceChildren());

  it('merges the failed jobs of every queue with failures, newest first', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(jobIds(el)).toHaveLength(4));
    expect(jobIds(el)).toEqual(['w2', 'e2', 'w1', 'e1']);
    // Only the queues whose overview counts have failures are read.
    expect(callsOf('listJobs').map(([id, query]) => [id, query])).toEqual([
      ['memory:emails', { state: 'failed', limit: 20 }],
      ['redis:webhooks', { state: 'failed', limit: 20 }],
    ]);
    const first = root(el).querySelector('tbody tr')!;
    expect(first.querySelector('a')!.getAttribute('href')).toMatch(/queues\/redis%3Awebhooks$/);
    expect(first.querySelector<HTMLAnchorElement>('a.job')!.href).toMatch(
      /queues\/redis%3Awebhooks\/jobs\/w2$/,
    );
    expect(first.textContent).toContain('ETIMEDOUT');
    expect(first.textContent).toContain('deliver');
    expect(summaryLine(el, 'emails')!.textContent).toContain('7 failed');
    expect(summaryLine(el, 'webhooks')!.textContent).toContain('30 failed');
    await expectAccessible(el);
  });

  it('shows a queue that cannot be read without hiding the others', async () => {
    const { el } = await mount({
      listJobs: async (queueId) => {
        if (queueId === 'redis:webhooks') throw new Error('ECONNREFUSED 127.0.0.1:6379');
        return page(queueId);
      },
    });
    await vi.waitFor(() => expect(jobIds(el)).toEqual(['e2', 'e1']));
    expect(summaryLine(el, 'webhooks')!.querySelector('[role=alert]')!.textContent).toContain(
      'ECONNREFUSED',
    );
    expect(summaryLine(el, 'emails')!.querySelector('[role=alert]')).toBeNull();
  });

  it('retries every failed job of a queue once its name is typed', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(summaryLine(el, 'emails')?.querySelector('button')).toBeTruthy());
    summaryLine(el, 'emails')!.querySelector('button')!.click();
    await el.updateComplete;
    const dialog = root(el).querySelector('dialog')!;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain('7');
    const confirm = dialog.querySelector<HTMLButtonElement>('button[type=submit]')!;
    const input = dialog.querySelector('input')!;
    expect(confirm.disabled).toBe(true);
    input.value = 'email';
    input.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(confirm.disabled).toBe(true);
    input.value = 'emails';
    input.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(confirm.disabled).toBe(false);
    await expectAccessible(el);
    confirm.click();
    await vi.waitFor(() => expect(dialog.open).toBe(false));
    expect(callsOf('bulkAction')).toEqual([
      ['memory:emails', { type: 'retry-all', state: 'failed' }],
    ]);
    expect(root(el).querySelector('.notice')!.textContent).toContain('7 failed jobs of emails');
  });

  it('keeps the dialog open with the error when retry all fails', async () => {
    const { el } = await mount({
      bulkAction: async () => {
        throw new Error('Forbidden: read-only');
      },
    });
    await vi.waitFor(() =>
      expect(summaryLine(el, 'webhooks')?.querySelector('button')).toBeTruthy(),
    );
    summaryLine(el, 'webhooks')!.querySelector('button')!.click();
    await el.updateComplete;
    const dialog = root(el).querySelector('dialog')!;
    const input = dialog.querySelector('input')!;
    input.value = 'webhooks';
    input.dispatchEvent(new Event('input'));
    await el.updateComplete;
    dialog.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await vi.waitFor(() =>
      expect(dialog.querySelector('[role=alert]')?.textContent).toContain('Forbidden: read-only'),
    );
    expect(dialog.open).toBe(true);
  });

  it('retries one job and shows a failure to', async () => {
    let fail = false;
    const { el, callsOf } = await mount({
      jobAction: async (queueId, jobId) => {
        if (fail) throw new Error('job is locked');
        return { job: fakeJob({ queueId, id: jobId, state: 'waiting' }) };
      },
    });
    await vi.waitFor(() => expect(jobIds(el)).toHaveLength(4));
    root(el)
      .querySelector<HTMLButtonElement>('button[aria-label="Retry job w2 of webhooks"]')!
      .click();
    await vi.waitFor(() =>
      expect(root(el).querySelector('tbody tr')!.textContent).toContain('Retried'),
    );
    expect(callsOf('jobAction')).toEqual([['redis:webhooks', 'w2', { type: 'retry' }]]);
    fail = true;
    root(el)
      .querySelector<HTMLButtonElement>('button[aria-label="Retry job e2 of emails"]')!
      .click();
    await vi.waitFor(() =>
      expect(
        root(el).querySelectorAll('tbody tr')[1]!.querySelector('[role=alert]')?.textContent,
      ).toContain('job is locked'),
    );
  });

  it('offers no action on read-only queues or without the capability', async () => {
    const { el } = await mount({
      queue: async (queueId) =>
        queueId === 'memory:emails'
          ? fakeQueue({ id: queueId, readOnly: true })
          : fakeQueue({
              id: queueId,
              capabilities: {
                ...fakeQueue().capabilities,
                bulkActions: [],
                jobActions: ['remove'],
              },
            }),
    });
    await vi.waitFor(() => expect(jobIds(el)).toHaveLength(4));
    expect(root(el).querySelectorAll('button')).toHaveLength(0);
  });

  it('offers only what the signed-in role may do: retry to an operator, nothing to a viewer', async () => {
    const as = (role: Role): FakeOptions => ({
      auth: { principal: { id: role, name: role, role, via: 'password' } },
    });
    const operator = await mount({}, as('operator'));
    await vi.waitFor(() => expect(jobIds(operator.el)).toHaveLength(4));
    await vi.waitFor(() =>
      expect(root(operator.el).querySelector('button[aria-label^="Retry job"]')).not.toBeNull(),
    );
    // Retrying every failed job of a queue is a bulk action: admins only.
    expect(summaryLine(operator.el, 'emails')!.querySelector('button')).toBeNull();
    document.body.replaceChildren();

    const viewer = await mount({}, as('viewer'));
    await vi.waitFor(() => expect(jobIds(viewer.el)).toHaveLength(4));
    expect(root(viewer.el).querySelectorAll('button')).toHaveLength(0);
  });

  it('says so when nothing failed', async () => {
    const overview = fakeOverview();
    for (const queue of overview.queues) queue.counts.failed = 0;
    const { el, callsOf } = await mount({
      events: (onEvent, options = {}) =>
        new Promise<void>((resolve) => {
          options.onOpen?.();
          onEvent({ type: 'overview', overview });
          options.signal?.addEventListener('abort', () => resolve());
        }),
    });
    await vi.waitFor(() =>
      expect(root(el).querySelector('.empty')?.textContent).toContain('No failed jobs'),
    );
    expect(callsOf('listJobs')).toHaveLength(0);
  });

  it('reloads when the failed counts change, not on every overview', async () => {
    const fake = createFakeApi({ listJobs: async (queueId) => page(queueId) });
    const el = document.createElement('qadmin-failed');
    el.api = fake.api;
    document.body.append(el);
    await vi.waitFor(() => expect(jobIds(el)).toHaveLength(4));
    fake.push({ type: 'overview', overview: fakeOverview() });
    await el.updateComplete;
    expect(fake.callsOf('listJobs')).toHaveLength(2);
    const changed = fakeOverview();
    changed.queues[1]!.counts.failed = 3;
    fake.push({ type: 'overview', overview: changed });
    await vi.waitFor(() => expect(fake.callsOf('listJobs')).toHaveLength(5), { timeout: 5000 });
    expect(
      fake
        .callsOf('listJobs')
        .slice(2)
        .map(([id]) => id),
    ).toEqual(['memory:emails', 'memory:exports', 'redis:webhooks']);
  });
});
