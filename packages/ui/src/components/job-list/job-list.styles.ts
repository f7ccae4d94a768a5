import { css } from 'lit';

export const jobListStyles = css`
  :host {
    display: block;
    --_row-h: 30px;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space-2) var(--_space-4);
    min-height: 34px;
    padding: var(--_space-1) 0;
  }
  .selection,
  .pager {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    flex-wrap: wrap;
  }
  .selection .count {
    font-variant-numeric: tabular-nums;
    min-width: 8ch;
  }
  .pager label {
    display: flex;
    align-items: center;
    gap: var(--_space-1);
    color: var(--_muted);
  }
  .pager select {
    padding-block: 2px;
  }
  .range {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  button.small {
    padding: 2px var(--_space-2);
  }
  .status {
    flex: 1 1 16ch;
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    flex-wrap: wrap;
    min-width: 0;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .notice {
    color: var(--_text);
  }
  .problem {
    display: flex;
    align-items: flex-start;
    gap: var(--_space-2);
    justify-content: space-between;
    border: 1px solid color-mix(in srgb, var(--_danger) 45%, var(--_border));
    background: color-mix(in srgb, var(--_danger) 8%, var(--_bg));
    border-radius: var(--_radius);
    padding: var(--_space-2) var(--_space-3);
    margin: var(--_space-1) 0;
    color: var(--_text);
  }
  .problem strong {
    color: var(--_danger);
  }
  .problem ul {
    margin: var(--_space-1) 0 0;
    padding-left: var(--_space-4);
    max-height: 10em;
    overflow: auto;
  }
  /* The page scrolls (no nested scroll area); the column headers stick below the app's bar. */
  .frame {
    scroll-margin-top: var(--qadmin-sticky-top, 0px);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .table {
    min-width: 0;
  }
  @media (max-width: 760px) {
    /* Narrow screens scroll the columns sideways (the headers then scroll with the rows). */
    .frame {
      overflow-x: auto;
    }
    .table {
      min-width: 720px;
    }
  }
  .row {
    display: grid;
    grid-template-columns: var(--_cols);
    align-items: center;
    min-height: var(--_row-h);
    border-bottom: 1px solid var(--_border);
  }
  /* Rows out of view are neither laid out nor painted: a page of 500 stays responsive. */
  .body .row {
    content-visibility: auto;
    contain-intrinsic-size: auto var(--_row-h);
  }
  .body .row:last-child {
    border-bottom: 0;
  }
  .table[aria-busy='true'] .body {
    opacity: 0.6;
    transition: opacity 0.2s 0.15s;
  }
  .head {
    position: sticky;
    top: var(--qadmin-sticky-top, 0px);
    z-index: 1;
    background: var(--_surface);
    border-radius: var(--_radius) var(--_radius) 0 0;
  }
  .body .row {
    scroll-margin-top: calc(var(--qadmin-sticky-top, 0px) + var(--_row-h) + 8px);
    scroll-margin-bottom: 8px;
  }
  .head .cell {
    font-weight: 600;
    color: var(--_muted);
    font-size: 0.85em;
  }
  .cell {
    padding: var(--_space-1) var(--_space-2);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    min-width: 0;
  }
  .body .row:hover {
    background: color-mix(in srgb, var(--_accent) 5%, transparent);
  }
  .body .row.selected {
    background: color-mix(in srgb, var(--_accent) 11%, transparent);
  }
  .body .row:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  .cell.check {
    padding-right: 0;
    text-overflow: clip;
    display: flex;
    align-items: center;
  }
  input[type='checkbox'] {
    margin: 0;
    width: 15px;
    height: 15px;
    accent-color: var(--_accent);
  }
  .id a {
    font-family: var(--_mono);
    font-size: 0.92em;
  }
  .data {
    color: var(--_muted);
  }
  .reason {
    color: var(--_danger);
  }
  .meter {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
  }
  progress {
    flex: 1;
    min-width: 60px;
    height: 8px;
    accent-color: var(--_accent);
  }
  .meter .num {
    min-width: 4ch;
  }
  .cell.empty {
    grid-column: 1 / -1;
    padding: var(--_space-6) var(--_space-4);
    text-align: center;
    color: var(--_muted);
    white-space: normal;
  }
  .placeholder .cell::after {
    content: '';
    display: block;
    height: 0.7em;
    border-radius: 3px;
    background: var(--_surface);
  }
  @media (prefers-reduced-motion: reduce) {
    .table[aria-busy='true'] .body {
      transition: none;
    }
  }
`;
