import { css } from 'lit';

export const metricsStyles = css`
    header {
      align-items: center;
      margin-bottom: var(--_space-3);
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
    .table-wrap td,
  .table-wrap th {
    white-space: nowrap;
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
  `;
