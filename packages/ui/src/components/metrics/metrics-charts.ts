/**
 * The charts of `qadmin-metrics`: uPlot and what configures it, loaded when
 * the element first draws a chart, so none of it weighs on the first view.
 */
import type { ApiMetrics, MetricBucket, Percentiles } from '@qadmin/core';
import { css } from 'lit';
import uPlot from 'uplot';
import { absoluteTime, formatDuration, formatNumber } from '../../shared/format';

/** Colours of the charts, resolved from the tokens when they are drawn. */
export interface Palette {
  ok: string;
  danger: string;
  accent: string;
  warn: string;
  muted: string;
  border: string;
}

/** One chart: its data and how its series look. */
export interface ChartSpec {
  key: 'throughput' | 'wait' | 'process';
  data: uPlot.AlignedData;
  series: { label: string; color: keyof Palette; dash?: number[]; fill?: boolean }[];
  format: (value: number) => string;
}

/** Where and how a chart is drawn. */
export interface ChartSetup {
  palette: Palette;
  width: number;
  height: number;
  /** Charts with the same key show the cursor at the same moment. */
  syncKey: string;
  host: HTMLElement;
}

function hasPercentiles(buckets: MetricBucket[], field: 'waitMs' | 'processMs'): boolean {
  return buckets.some((bucket) => bucket[field] !== null);
}

/** The charts of a metrics answer: throughput, and the durations the backend records. */
export function chartSpecs(metrics: ApiMetrics): ChartSpec[] {
  const x = metrics.buckets.map((bucket) => bucket.start);
  const specs: ChartSpec[] = [
    {
      key: 'throughput',
      data: [x, metrics.buckets.map((b) => b.completed), metrics.buckets.map((b) => b.failed)],
      series: [
        { label: 'Completed', color: 'ok', fill: true },
        { label: 'Failed', color: 'danger', fill: true },
      ],
      format: (value) => formatNumber(value),
    },
  ];
  for (const key of ['wait', 'process'] as const) {
    const field = key === 'wait' ? 'waitMs' : 'processMs';
    if (!hasPercentiles(metrics.buckets, field)) continue;
    const pick = (p: keyof Percentiles) => metrics.buckets.map((b) => b[field]?.[p] ?? null);
    specs.push({
      key,
      data: [x, pick('p50'), pick('p95'), pick('p99')],
      series: [
        { label: 'p50', color: 'accent' },
        { label: 'p95', color: 'warn', dash: [6, 3] },
        { label: 'p99', color: 'danger', dash: [2, 3] },
      ],
      format: (value) => formatDuration(value),
    });
  }
  return specs;
}

/** A uPlot chart of `spec`, drawn into `setup.host`. */
export function createChart(spec: ChartSpec, setup: ChartSetup): uPlot {
  const { palette } = setup;
  const axis: uPlot.Axis = {
    stroke: palette.muted,
    grid: { stroke: palette.border, width: 1 },
    ticks: { stroke: palette.border, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  const options: uPlot.Options = {
    width: setup.width,
    height: setup.height,
    ms: 1,
    padding: [8, 28, 0, 0],
    // Hovering one chart shows the same moment on the others.
    cursor: { drag: { x: true, y: false }, sync: { key: setup.syncKey } },
    legend: { live: true },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      axis,
      { ...axis, size: 64, values: (_u, splits) => splits.map((value) => spec.format(value)) },
    ],
    series: [
      // Values show while hovering; at rest the legend names the series only.
      { value: (_u, value) => (value === null ? '' : absoluteTime(value)) },
      ...spec.series.map(
        (series): uPlot.Series => ({
          label: series.label,
          stroke: palette[series.color],
          width: 1.5,
          ...(series.dash ? { dash: series.dash } : {}),
          ...(series.fill ? { fill: withAlpha(palette[series.color], 0.12) } : {}),
          ...(spec.key === 'throughput' ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
          points: { show: false },
          spanGaps: false,
          value: (_u, value) => (value === null ? '' : spec.format(value)),
        }),
      ),
    ],
  };
  return new uPlot(options, spec.data, setup.host);
}

/** `rgb(1, 2, 3)` -> `rgba(1, 2, 3, alpha)`; other forms unchanged. */
function withAlpha(color: string, alpha: number): string {
  const match = /^rgba?\(([^)]+)\)$/.exec(color);
  if (!match) return color;
  const [r, g, b] = match[1]!.split(/[\s,/]+/);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The rules of uPlot's stylesheet the charts need, adopted into the shadow root. */
export const uplotStyles = css`
  .uplot,
  .uplot *,
  .uplot *::before,
  .uplot *::after {
    box-sizing: border-box;
  }
  .uplot {
    font-family: inherit;
    line-height: 1.5;
    width: min-content;
  }
  .u-wrap {
    position: relative;
    user-select: none;
  }
  .u-over,
  .u-under {
    position: absolute;
  }
  .u-under {
    overflow: hidden;
  }
  .uplot canvas {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  .u-axis {
    position: absolute;
  }
  .u-legend {
    font-size: 0.85em;
    margin: 0 auto;
    text-align: left;
    color: var(--_text);
  }
  .u-inline {
    display: block;
  }
  .u-inline * {
    display: inline-block;
  }
  .u-inline tr {
    margin-right: var(--_space-4);
  }
  .u-legend th {
    font-weight: 500;
    color: var(--_text);
    font-size: 1em;
    border: 0;
    padding: 0;
  }
  .u-legend td {
    border: 0;
    padding: 0;
    font-variant-numeric: tabular-nums;
  }
  .u-legend th > * {
    vertical-align: middle;
    display: inline-block;
  }
  .u-legend .u-marker {
    width: 1em;
    height: 0.35em;
    margin-right: 4px;
    background-clip: padding-box !important;
  }
  .u-legend .u-series:first-child .u-label {
    display: none;
  }
  .u-legend .u-value {
    font-weight: 600;
  }
  .u-inline:not(.u-live) .u-value {
    display: none;
  }
  .u-series > * {
    padding: 2px 4px;
  }
  .u-series th {
    cursor: pointer;
  }
  .u-legend .u-off > * {
    opacity: 0.4;
  }
  .u-select {
    background: color-mix(in srgb, var(--_accent) 12%, transparent);
    position: absolute;
    pointer-events: none;
  }
  .u-cursor-x,
  .u-cursor-y {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    will-change: transform;
  }
  .u-hz .u-cursor-x,
  .u-vt .u-cursor-y {
    height: 100%;
    border-right: 1px dashed var(--_muted);
  }
  .u-hz .u-cursor-y,
  .u-vt .u-cursor-x {
    width: 100%;
    border-bottom: 1px dashed var(--_muted);
  }
  .u-cursor-pt {
    position: absolute;
    top: 0;
    left: 0;
    border-radius: 50%;
    border: 0 solid;
    pointer-events: none;
    will-change: transform;
    background-clip: padding-box !important;
  }
  .u-axis.u-off,
  .u-select.u-off,
  .u-cursor-x.u-off,
  .u-cursor-y.u-off,
  .u-cursor-pt.u-off {
    display: none;
  }
`;
