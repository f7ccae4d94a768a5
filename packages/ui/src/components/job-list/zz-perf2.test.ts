import { html, render } from 'lit';
import { it } from 'vitest';

const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
const data = Array.from({ length: 500 }, (_, i) => ({
  id: String(100000 + i),
  name: 'send-email',
  preview: JSON.stringify({
    to: `user${i}@example.com`,
    subject: 'Welcome to the service, here is a long preview text'.repeat(3),
  }).slice(0, 200),
}));

async function measure(label: string, tpl: unknown, css: string) {
  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  document.body.append(host);
  const t = performance.now();
  render(html`<style>${css}</style>${tpl}`, root);
  const t1 = performance.now();
  (root.querySelector('.scroller') as HTMLElement).getBoundingClientRect();
  document.body.offsetHeight;
  const t2 = performance.now();
  await frame();
  const t3 = performance.now();
  const scroller = root.querySelector('.scroller') as HTMLElement;
  for (let i = 0; i < 10; i++) {
    scroller.scrollTop += 800;
    await frame();
  }
  const t4 = performance.now();
  console.log(
    label,
    JSON.stringify({
      render: Math.round(t1 - t),
      layout: Math.round(t2 - t1),
      paint: Math.round(t3 - t2),
      scroll10: Math.round(t4 - t3),
    }),
  );
  host.remove();
}

it('compares', async () => {
  const base = `.scroller{max-height:600px;overflow:auto} td,.c{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:4px 8px;border-bottom:1px solid #ddd;height:30px}`;
  const withProgress = (p: boolean) =>
    p ? html`<progress max=100 .value=${50}></progress>` : html`50%`;
  for (const p of [true, false]) {
    await measure(
      `table progress=${p}`,
      html`<div class="scroller"><table style="table-layout:fixed;width:100%"><thead><tr><th>c</th><th>id</th><th>name</th><th>data</th><th>p</th><th>a</th><th>t</th></tr></thead><tbody>${data.map((j) => html`<tr tabindex=-1><td><input type=checkbox aria-label="x"></td><td><a href="x">${j.id}</a></td><td>${j.name}</td><td>${j.preview}</td><td>${withProgress(p)}</td><td>3 / 3</td><td><time>3 min ago</time></td></tr>`)}</tbody></table></div>`,
      base,
    );
    await measure(
      `grid cv progress=${p}`,
      html`<div class="scroller"><div role="table" class="t"><div role="rowgroup"><div role="row" class="r"><span role="columnheader" class="c">c</span><span role="columnheader" class="c">id</span><span role="columnheader" class="c">name</span><span role="columnheader" class="c">data</span><span role="columnheader" class="c">p</span><span role="columnheader" class="c">a</span><span role="columnheader" class="c">t</span></div></div><div role="rowgroup">${data.map((j) => html`<div role="row" class="r" tabindex=-1><span role="cell" class="c"><input type=checkbox aria-label="x"></span><span role="cell" class="c"><a href="x">${j.id}</a></span><span role="cell" class="c">${j.name}</span><span role="cell" class="c">${j.preview}</span><span role="cell" class="c">${withProgress(p)}</span><span role="cell" class="c">3 / 3</span><span role="cell" class="c"><time>3 min ago</time></span></div>`)}</div></div></div>`,
      base +
        `.r{display:grid;grid-template-columns:34px 10ch 16ch 1fr 170px 9ch 13ch;content-visibility:auto;contain-intrinsic-size:auto 31px}`,
    );
  }
}, 60000);
