import {
  html,
  LitElement,
  nothing,
  type PropertyDeclarations,
  svg,
  type TemplateResult,
} from 'lit';
import { formatNumber } from '../../shared/format';
import { tokens } from '../../shared/styles';
import { sparklineStyles } from './sparkline.styles';

// The drawing is scaled to the element's CSS box (preserveAspectRatio="none"),
// with strokes that keep their width (vector-effect), so only the ratio matters.
const WIDTH = 100;
const HEIGHT = 20;
const PAD = 2;

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function points(values: readonly number[], max: number): [number, number][] {
  const y = (value: number) => HEIGHT - PAD - (value / max) * (HEIGHT - 2 * PAD);
  if (values.length === 1)
    return [
      [0, y(values[0]!)],
      [WIDTH, y(values[0]!)],
    ];
  const step = WIDTH / (values.length - 1);
  return values.map((value, i) => [i * step, y(value)]);
}

function linePath(coords: [number, number][]): string {
  return coords.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${round(x)} ${round(y)}`).join('');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * A tiny inline chart of recent throughput: completed jobs per bucket as a
 * line over a faint area, failed jobs as a second line in the danger colour,
 * both on the same scale. No data draws a flat, muted, dashed line.
 *
 * @summary Inline throughput sparkline (SVG, no library).
 * @cssproperty --qadmin-sparkline-width - Width of the chart (default 80px).
 * @cssproperty --qadmin-sparkline-height - Height of the chart (default 20px).
 * @cssproperty --qadmin-sparkline-color - Colour of the completed line (default: the "ok" colour).
 */
export class QadminSparkline extends LitElement {
  static override styles = [tokens, sparklineStyles];
  static override properties: PropertyDeclarations = {
    values: { attribute: false },
    failed: { attribute: false },
    label: {},
  };

  /** Completed jobs per bucket, oldest first. */
  declare values: number[];
  /** Failed jobs per bucket, oldest first (optional). */
  declare failed: number[] | undefined;
  /** What the chart says, for assistive technology ("342 completed, 5 failed in the last hour"). */
  declare label: string | undefined;

  constructor() {
    super();
    this.values = [];
  }

  #defaultLabel(): string {
    const values = this.values ?? [];
    if (values.length === 0 && !this.failed?.length) return 'No data';
    const parts = [`${formatNumber(sum(values))} completed`];
    if (this.failed) parts.push(`${formatNumber(sum(this.failed))} failed`);
    return parts.join(', ');
  }

  #chart(): TemplateResult {
    const values = this.values ?? [];
    const failed = this.failed ?? [];
    if (values.length === 0 && failed.length === 0) {
      return svg`<line class="empty" x1="0" y1=${HEIGHT - PAD} x2=${WIDTH} y2=${HEIGHT - PAD}></line>`;
    }
    let max = 1;
    for (const value of values) if (value > max) max = value;
    for (const value of failed) if (value > max) max = value;
    const completed = values.length > 0 ? points(values, max) : [];
    const line = linePath(completed);
    const area =
      completed.length > 0 ? `${line}L${WIDTH} ${HEIGHT - PAD}L0 ${HEIGHT - PAD}Z` : undefined;
    // A flat red line along the bottom would only be noise.
    const failedLine = sum(failed) > 0 ? linePath(points(failed, max)) : undefined;
    return svg`
      ${area ? svg`<path class="area" d=${area}></path>` : nothing}
      ${line ? svg`<path class="completed" d=${line}></path>` : nothing}
      ${failedLine ? svg`<path class="failed" d=${failedLine}></path>` : nothing}
    `;
  }

  protected override render(): TemplateResult {
    return html`<svg
      role="img"
      aria-label=${this.label || this.#defaultLabel()}
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      preserveAspectRatio="none"
      focusable="false"
    >${this.#chart()}</svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-sparkline': QadminSparkline;
  }
}
