import { css } from 'lit';

/** The rules of uPlot's stylesheet the charts need, adopted into the shadow root. */
const uplot = css`
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
    padding-left: 0;
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

export const metricsStyles = [
  uplot,
  css`
    :host {
      display: block;
      padding: var(--_space-4);
    }
    header {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_space-2) var(--_space-3);
      margin-bottom: var(--_space-3);
    }
    h1 {
      font-size: 1.25em;
      margin: 0;
    }
    .busy {
      font-size: 0.85em;
    }
    .busy[hidden] {
      display: inline;
      visibility: hidden;
    }
    .toolbar {
      margin-left: auto;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_space-3);
    }
    .queue {
      display: flex;
      align-items: center;
      gap: var(--_space-2);
    }
    .queue span {
      color: var(--_muted);
      font-size: 0.85em;
    }
    .ranges {
      display: inline-flex;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 0;
      margin: 0;
      overflow: hidden;
    }
    .range {
      position: relative;
    }
    .range input {
      position: absolute;
      opacity: 0;
      inset: 0;
      margin: 0;
      cursor: pointer;
    }
    .range span:not(.sr-only) {
      display: block;
      padding: var(--_space-1) var(--_space-3);
      font-variant-numeric: tabular-nums;
      color: var(--_muted);
      background: var(--_raised);
    }
    .range + .range span:not(.sr-only) {
      border-left: 1px solid var(--_border);
    }
    .range input:checked + span {
      background: var(--_accent);
      color: var(--_on-accent);
    }
    .range input:focus-visible + span {
      outline: 2px solid var(--_accent);
      outline-offset: -4px;
    }
    .body {
      transition: opacity 0.15s;
    }
    .body[aria-busy='true'] {
      opacity: 0.75;
    }
    .totals {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_space-3);
      margin: 0 0 var(--_space-4);
    }
    .totals > div {
      min-width: 9rem;
      padding: var(--_space-2) var(--_space-3);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
    }
    .totals dt {
      color: var(--_muted);
      font-size: 0.85em;
    }
    .totals dd {
      margin: 0;
      font-size: 1.5em;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    .totals .ok {
      color: var(--_ok);
    }
    .totals .failed {
      color: var(--_danger);
    }
    .charts {
      display: grid;
      gap: var(--_space-4);
    }
    .chart {
      margin: 0;
      min-width: 0;
    }
    .chart figcaption {
      font-weight: 600;
      font-size: 0.92em;
      margin-bottom: var(--_space-1);
    }
    .plot {
      min-height: calc(180px + 2em);
      width: 100%;
      overflow: hidden;
    }
    .note {
      font-size: 0.9em;
    }
    .numbers {
      margin-top: var(--_space-4);
    }
    .numbers summary {
      cursor: pointer;
      color: var(--_accent);
      width: max-content;
    }
    .table-wrap {
      overflow-x: auto;
      max-height: 60vh;
      margin-top: var(--_space-2);
    }
    .table-wrap thead th {
      position: sticky;
      top: 0;
      background: var(--_bg);
    }
    tbody th {
      font-weight: 400;
      color: var(--_text);
      font-size: 1em;
      white-space: nowrap;
    }
    .empty {
      padding: var(--_space-6) var(--_space-4);
      border: 1px dashed var(--_border);
      border-radius: var(--_radius);
      text-align: center;
    }
    .empty p {
      margin: 0;
    }
    .empty-title {
      font-weight: 600;
      margin-bottom: var(--_space-2) !important;
    }
    .loading {
      padding: var(--_space-4) 0;
    }
    .probes {
      position: absolute;
      width: 0;
      height: 0;
      overflow: hidden;
    }
    .probes span {
      transition: color 1ms;
    }
    .probes .ok {
      color: var(--_ok);
    }
    .probes .danger {
      color: var(--_danger);
    }
    .probes .accent {
      color: var(--_accent);
    }
    .probes .warn {
      color: var(--_warn);
    }
    .probes .muted {
      color: var(--_muted);
    }
    .probes .border {
      color: var(--_border);
    }
  `,
];
