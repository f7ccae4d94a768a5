import type { ApiJobPage } from '@qadmin/core';
import { expect, it, vi } from 'vitest';
import { page } from 'vitest/browser';
import { createFakeApi, fakeJob } from '../../test-support/fake-api';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJobList } from '../job-list/job-list';
import { QadminQueue } from './queue';

for (const [t, c] of [
  ['qadmin-queue', QadminQueue],
  ['qadmin-job-list', QadminJobList],
  ['qadmin-confirm', QadminConfirm],
] as const)
  if (!customElements.get(t)) customElements.define(t, c);

function makePage(state: any, n: number): ApiJobPage {
  return {
    queueId: 'memory:emails',
    state,
    nextCursor: 'x',
    total: 7,
    search: null,
    jobs: Array.from({ length: n }, (_, i) => {
      const {
        data,
        returnValue: _r,
        stacktrace: _s,
        options: _o,
        children,
        ...rest
      } = fakeJob({
        id: String(1000 + i),
        state,
        progress: state === 'active' ? (i * 13) % 100 : null,
        failedReason:
          i % 2
            ? 'SMTP 421: try again later, the server is busy'
            : 'TypeError: Cannot read properties of undefined (reading "to")',
        createdAt: Date.now() - i * 60000,
        finishedAt: Date.now() - i * 50000,
        data: { to: `user${i}@example.com`, subject: 'Welcome to the service' },
      });
      return { ...rest, dataPreview: JSON.stringify(data), childrenCount: 0 };
    }),
  };
}

for (const scheme of ['light', 'dark']) {
  it(`screenshot ${scheme}`, async () => {
    await page.viewport(1280, 800);
    document.body.style.colorScheme = scheme;
    document.body.style.background = scheme === 'dark' ? '#111318' : '#fff';
    document.body.style.margin = '0';
    document.body.style.padding = '16px';
    const fake = createFakeApi({ listJobs: async (_q, query) => makePage(query.state, 7) });
    const el = document.createElement('qadmin-queue');
    Object.assign(el, { api: fake.api, queueId: 'memory:emails', state: 'failed' });
    document.body.append(el);
    await vi.waitFor(() =>
      expect(
        el
          .shadowRoot!.querySelector('qadmin-job-list')!
          .shadowRoot!.querySelectorAll('.body [part=row]').length,
      ).toBe(7),
    );
    const list = el.shadowRoot!.querySelector('qadmin-job-list')!;
    list.shadowRoot!.querySelectorAll<HTMLInputElement>('.body input')[1]!.click();
    list.shadowRoot!.querySelectorAll<HTMLInputElement>('.body input')[2]!.click();
    await list.updateComplete;
    await page.screenshot({ path: `__shots__/shot-queue-${scheme}.png` });
    el.state = 'active';
    await vi.waitFor(() =>
      expect(list.shadowRoot!.querySelectorAll('.body progress').length).toBe(7),
    );
    await page.screenshot({ path: `__shots__/shot-active-${scheme}.png` });
    [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.actions button')]
      .find((b) => b.textContent!.includes('Clean'))!
      .click();
    await vi.waitFor(() =>
      expect(
        el.shadowRoot!.querySelector('qadmin-confirm')?.shadowRoot?.querySelector('dialog')?.open,
      ).toBe(true),
    );
    await page.screenshot({ path: `__shots__/shot-clean-${scheme}.png` });
    el.shadowRoot!.querySelector('qadmin-confirm')!.cancel();
    document.body.replaceChildren();
  });
}
