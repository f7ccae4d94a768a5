import type { ApiJobPage } from '@qadmin/core';
import { expect, it, vi } from 'vitest';
import { createFakeApi, fakeJob } from '../../test-support/fake-api';
import { QadminJobList } from './job-list';

if (!customElements.get('qadmin-job-list')) customElements.define('qadmin-job-list', QadminJobList);

function makePage(n: number, seed: number): ApiJobPage {
  return {
    queueId: 'memory:emails',
    state: 'active',
    nextCursor: 'x',
    total: 100000,
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
        id: String(100000 + i),
        state: 'active',
        progress: (i + seed) % 100,
        data: {
          to: `user${i}@example.com`,
          subject: 'Welcome to the service, here is a long preview text'.repeat(3),
          n: i,
        },
      });
      return { ...rest, dataPreview: JSON.stringify(data).slice(0, 200), childrenCount: 0 };
    }),
  };
}

const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

it('measures 500 rows', async () => {
  let seed = 0;
  const fake = createFakeApi({ listJobs: async () => makePage(500, seed) });
  const el = document.createElement('qadmin-job-list');
  Object.assign(el, { api: fake.api, queueId: 'memory:emails', state: 'active', pageSize: 500 });
  let t = performance.now();
  document.body.append(el);
  await vi.waitFor(() =>
    expect(el.shadowRoot!.querySelectorAll('.body [part=row]').length).toBe(500),
  );
  await frame();
  const report: Record<string, number> = { firstRenderMs: Math.round(performance.now() - t) };
  // Split: a re-render of the same data (guards), and a full new list.
  t = performance.now();
  el.requestUpdate();
  await el.updateComplete;
  report.noopUpdateMs = Math.round(performance.now() - t);
  t = performance.now();
  el.state = 'failed';
  el.state = 'active';
  await el.updateComplete;
  report.stateFlipUpdate = Math.round(performance.now() - t);
  const { render, html } = await import('lit');
  const host = document.createElement('div');
  document.body.append(host);
  const rowsData = makePage(500, 3).jobs;
  t = performance.now();
  render(
    html`<table>${rowsData.map((j) => html`<tr><td><input type=checkbox></td><td><a href="x">${j.id}</a></td><td>${j.name}</td><td>${j.dataPreview}</td><td><progress max=100 .value=${50}></progress></td><td>${j.attemptsMade}</td><td>${j.createdAt}</td></tr>`)}</table>`,
    host,
  );
  report.plainLitRenderMs = Math.round(performance.now() - t);
  t = performance.now();
  host.getBoundingClientRect();
  document.body.offsetHeight;
  report.plainLayoutMs = Math.round(performance.now() - t);
  host.remove();
  seed = 1;
  t = performance.now();
  el.refresh();
  await vi.waitFor(() =>
    expect(el.shadowRoot!.querySelector('.body [part=row] span.num')!.textContent).toBe('1%'),
  );
  await frame();
  report.refreshMs = Math.round(performance.now() - t);
  t = performance.now();
  el.shadowRoot!.querySelector<HTMLInputElement>('.head input')!.click();
  await el.updateComplete;
  await frame();
  report.selectAllMs = Math.round(performance.now() - t);
  t = performance.now();
  for (let i = 0; i < 50; i++)
    fake.push({
      type: 'progress',
      queueId: 'memory:emails',
      jobId: String(100000 + i),
      progress: 50,
    });
  await el.updateComplete;
  await frame();
  report.fiftyProgressEventsMs = Math.round(performance.now() - t);
  const scroller = el.shadowRoot!.querySelector('.scroller')!;
  t = performance.now();
  for (let i = 0; i < 20; i++) {
    scroller.scrollTop += 600;
    await frame();
  }
  report.scroll20FramesMs = Math.round(performance.now() - t);
  t = performance.now();
  for (let i = 0; i < 100; i++) el.moveFocus(1);
  await frame();
  report.hundredMoveFocusMs = Math.round(performance.now() - t);
  console.log(JSON.stringify(report));
}, 60000);
