import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, fakeAuditEntries } from '../../test-support/fake-api';
import { QadminAudit } from './audit';

if (!customElements.get('qadmin-audit')) customElements.define('qadmin-audit', QadminAudit);

async function mount(fake = createFakeApi(), pageSize = 10) {
  const el = document.createElement('qadmin-audit');
  el.api = fake.api;
  el.pageSize = pageSize;
  document.body.append(el);
  await el.updateComplete;
  return { el, ...fake };
}

const root = (el: HTMLElement) => el.shadowRoot!;
const rows = (el: HTMLElement) => [...root(el).querySelectorAll('tbody tr')];
const button = (el: HTMLElement, label: string) =>
  [...root(el).querySelectorAll<HTMLButtonElement>('[part=toolbar] button')].find(
    (b) => b.textContent!.trim() === label,
  )!;

describe('qadmin-audit', () => {
  afterEach(() => document.body.replaceChildren());

  it('lists who did what, where, to how many jobs and how it ended', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(rows(el)).toHaveLength(10));
    expect(callsOf('audit')[0]![0]).toEqual({ limit: 10 });
    const cells = (row: Element) =>
      [...row.querySelectorAll('td')].map((td) => td.textContent!.replace(/\s+/g, ' ').trim());
    const [clean, retry, , refused] = rows(el);
    const first = cells(clean!);
    expect(first[1]).toBe('ada');
    expect(first[2]).toBe('admin');
    expect(first[3]).toBe('queue.clean');
    expect(clean!.querySelector('td.target a')!.textContent).toBe('memory:emails');
    expect(clean!.querySelector('td.target .detail')!.textContent).toBe(
      'state=completed olderThanMs=86400000',
    );
    expect(first[5]).toBe('120');
    expect(first[6]).toBe('ok');
    expect(clean!.querySelector('td time')).not.toBeNull();
    expect(cells(retry!)[4]).toBe('memory:emails · job 101');
    expect(retry!.querySelector<HTMLAnchorElement>('td.target a.mono')!.href).toMatch(
      /queues\/memory%3Aemails\/jobs\/101$/,
    );
    const refusal = cells(refused!);
    expect(refusal[3]).toBe('queue.empty');
    expect(refusal[5]).toBe('—');
    expect(refusal[6]).toContain('403 Not allowed');
    expect(refusal[6]).toContain('needs the admin role');
    await expectAccessible(el);
  });

  it('pages to older entries with nextBefore, and back', async () => {
    const { el, callsOf } = await mount();
    await vi.waitFor(() => expect(rows(el)).toHaveLength(10));
    expect(button(el, 'Newer').disabled).toBe(true);
    button(el, 'Older').click();
    const entries = fakeAuditEntries();
    await vi.waitFor(() =>
      expect(rows(el)[0]?.querySelector('td:nth-child(4)')?.textContent).toBe('job.retry'),
    );
    expect(callsOf('audit')[1]![0]).toEqual({ before: entries[9]!.at, limit: 10 });
    button(el, 'Older').click();
    await vi.waitFor(() => expect(callsOf('audit')).toHaveLength(3));
    await vi.waitFor(() => expect(button(el, 'Older').disabled).toBe(true));
    expect(rows(el)).toHaveLength(10);
    button(el, 'Newer').click();
    await vi.waitFor(() => expect(callsOf('audit')).toHaveLength(4));
    expect(callsOf('audit')[3]![0]).toEqual({ before: entries[9]!.at, limit: 10 });
  });

  it('says when nothing was changed yet, and when the server refuses', async () => {
    const empty = await mount(
      createFakeApi({ audit: async () => ({ entries: [], nextBefore: null, unavailable: [] }) }),
    );
    await vi.waitFor(() =>
      expect(root(empty.el).querySelector('.empty')?.textContent).toContain(
        'Nothing has been changed yet',
      ),
    );
    document.body.replaceChildren();
    const operator = await mount(
      createFakeApi(
        {},
        { auth: { principal: { id: 'o', name: 'o', role: 'operator', via: 'token' } } },
      ),
    );
    await vi.waitFor(() =>
      expect(root(operator.el).querySelector('[role=alert]')?.textContent).toContain('audit.read'),
    );
  });
});
