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
    min-height: 1.4em;
    margin: 0;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .status:empty {
    min-height: 0;
  }
  .search-status {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    flex-wrap: wrap;
    margin-bottom: var(--_space-1);
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
  .scroller {
    max-height: var(--qadmin-job-list-max-height, max(320px, calc(100vh - 260px)));
    overflow: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    scroll-behavior: smooth;
  }
  table {
    table-layout: fixed;
    min-width: 720px;
  }
  table[aria-busy='true'] tbody {
    opacity: 0.6;
    transition: opacity 0.2s 0.15s;
  }
  thead th {
    position: sticky;
    top: 0;
    z-index: 1;
    background: var(--_surface);
    white-space: nowrap;
    height: var(--_row-h);
  }
  td {
    height: var(--_row-h);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    vertical-align: middle;
  }
  tbody tr:last-child td {
    border-bottom: 0;
  }
  tbody tr:hover {
    background: color-mix(in srgb, var(--_accent) 5%, transparent);
  }
  tbody tr.selected {
    background: color-mix(in srgb, var(--_accent) 11%, transparent);
  }
  tbody tr:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  th.check,
  td.check {
    width: 34px;
    padding-right: 0;
    text-overflow: clip;
  }
  input[type='checkbox'] {
    margin: 0;
    vertical-align: middle;
    width: 15px;
    height: 15px;
    accent-color: var(--_accent);
  }
  col.id {
    width: var(--_id-w, 10ch);
  }
  col.name {
    width: var(--_name-w, 16ch);
  }
  col.attempts {
    width: 9ch;
  }
  col.time {
    width: 13ch;
  }
  col.progress {
    width: 170px;
  }
  col.reason {
    width: 34%;
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
  td.empty {
    height: 96px;
    text-align: center;
    color: var(--_muted);
    white-space: normal;
  }
  .placeholder td {
    color: transparent;
  }
  .placeholder td::after {
    content: '';
    display: block;
    height: 0.7em;
    border-radius: 3px;
    background: var(--_surface);
  }
  @media (prefers-reduced-motion: reduce) {
    .scroller {
      scroll-behavior: auto;
    }
    table[aria-busy='true'] tbody {
      transition: none;
    }
  }
`;
