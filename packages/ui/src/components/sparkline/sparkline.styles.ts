import { css } from 'lit';

export const sparklineStyles = css`
  :host {
    display: inline-block;
    vertical-align: middle;
    width: var(--qadmin-sparkline-width, 80px);
    height: var(--qadmin-sparkline-height, 20px);
    line-height: 0;
  }
  svg {
    width: 100%;
    height: 100%;
    overflow: visible;
  }
  path,
  line {
    fill: none;
    stroke-width: 1.5px;
    stroke-linejoin: round;
    stroke-linecap: round;
    vector-effect: non-scaling-stroke;
  }
  .completed {
    stroke: var(--qadmin-sparkline-color, var(--_ok));
  }
  .area {
    stroke: none;
    fill: var(--qadmin-sparkline-color, var(--_ok));
    opacity: 0.14;
  }
  .failed {
    stroke: var(--_danger);
  }
  .empty {
    stroke: var(--_muted);
    stroke-dasharray: 2 3;
    opacity: 0.6;
  }
`;
