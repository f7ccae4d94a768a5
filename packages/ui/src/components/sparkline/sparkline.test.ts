import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { QadminSparkline } from './sparkline';

if (!customElements.get('qadmin-sparkline'))
  customElements.define('qadmin-sparkline', QadminSparkline);

async function mount(props: Partial<Pick<QadminSparkline, 'values' | 'failed' | 'label'>>) {
  const el = document.createElement('qadmin-sparkline');
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

function pathPoints(d: string): number[][] {
  return [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('qadmin-sparkline', () => {
  afterEach(() => document.body.replaceChildren());

  it('draws completed and failed as paths on one scale, with its label', async () => {
    const el = await mount({
      values: [0, 10, 20, 5],
      failed: [0, 0, 20, 0],
      label: '35 completed, 20 failed in the last hour',
    });
    const svg = el.shadowRoot!.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toBe('35 completed, 20 failed in the last hour');
    const completed = el.shadowRoot!.querySelector('path.completed')!;
    const failed = el.shadowRoot!.querySelector('path.failed')!;
    expect(el.shadowRoot!.querySelector('path.area')).not.toBeNull();
    const c = pathPoints(completed.getAttribute('d')!);
    const f = pathPoints(failed.getAttribute('d')!);
    expect(c).toHaveLength(4);
    expect(f).toHaveLength(4);
    // Same maximum (20) on both lines: same height at the third point; zero at the bottom.
    expect(c[2]![1]).toBe(f[2]![1]);
    expect(c[0]![1]).toBeGreaterThan(c[1]![1]!);
    expect(c[3]![0]).toBe(100);
    // The failed line is drawn in the danger colour, the completed one not.
    expect(getComputedStyle(failed).stroke).not.toBe(getComputedStyle(completed).stroke);
    await expectAccessible(el);
  });

  it('leaves out a failed line that is all zero, and labels itself by default', async () => {
    const el = await mount({ values: [3, 4], failed: [0, 0] });
    expect(el.shadowRoot!.querySelector('path.completed')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('path.failed')).toBeNull();
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).toBe(
      '7 completed, 0 failed',
    );
  });

  it('draws a flat muted line without data', async () => {
    const el = await mount({ values: [], label: 'No throughput data' });
    expect(el.shadowRoot!.querySelector('path')).toBeNull();
    const line = el.shadowRoot!.querySelector('line.empty')!;
    expect(line.getAttribute('y1')).toBe(line.getAttribute('y2'));
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).toBe(
      'No throughput data',
    );
    await expectAccessible(el);
  });

  it('takes its size from CSS', async () => {
    const el = await mount({ values: [1, 2, 3] });
    expect(el.getBoundingClientRect().width).toBe(80);
    expect(el.getBoundingClientRect().height).toBe(20);
    el.style.setProperty('--qadmin-sparkline-width', '120px');
    expect(el.getBoundingClientRect().width).toBe(120);
  });
});
