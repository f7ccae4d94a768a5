import { css } from 'lit';

export const queueListStyles = css`
  :host {
    display: block;
  }
  [role='table'] {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .row {
    display: grid;
    grid-template-columns: var(--_columns);
    align-items: center;
    column-gap: var(--_space-3);
    width: 100%;
    min-height: 34px;
    padding: 0 var(--_space-3);
    border-bottom: 1px solid var(--_border);
    /* Keyboard focus scrolls a row clear of the sticky header. */
    scroll-margin-top: calc(var(--qadmin-sticky-top, 0px) + 40px);
  }
  .head {
    position: sticky;
    top: var(--qadmin-sticky-top, 0px);
    z-index: 1;
    background: var(--_surface);
    border-radius: var(--_radius) var(--_radius) 0 0;
  }
  .head .row {
    min-height: 32px;
  }
  [role='columnheader'] {
    font-size: 0.85em;
    font-weight: 600;
    color: var(--_muted);
    white-space: nowrap;
  }
  [role='columnheader'].num {
    text-align: right;
  }
  .sort {
    all: unset;
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    gap: 2px;
    padding: 2px 0;
    border-radius: 3px;
  }
  .sort:hover {
    color: var(--_text);
  }
  .sort:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [aria-sort='ascending'] .sort,
  [aria-sort='descending'] .sort {
    color: var(--_text);
  }
  .arrow {
    display: inline-block;
    width: 0.8em;
    text-align: center;
    font-size: 0.9em;
  }
  .body .row:last-child {
    border-bottom: none;
  }
  .queue {
    cursor: pointer;
  }
  .queue:hover {
    background: var(--_surface);
  }
  .queue.focused {
    background: color-mix(in srgb, var(--_accent) 10%, var(--_bg));
    box-shadow: inset 3px 0 0 var(--_accent);
  }
  .queue:has(a:focus-visible) {
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  .queue a:focus-visible {
    outline: none;
  }
  [role='cell'] {
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .name {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
  }
  .name a {
    font-weight: 550;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .badge.paused {
    color: var(--_warn);
    flex: none;
  }
  .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .zero,
  .none {
    color: var(--_muted);
  }
  .warn {
    color: var(--_warn);
  }
  .bad {
    color: var(--_danger);
  }
  .no-workers {
    color: var(--_warn);
    font-weight: 600;
  }
  .spark {
    display: flex;
    justify-content: flex-end;
  }
  .group {
    min-height: 40px;
    background: var(--_surface);
  }
  .group [role='cell'] {
    grid-column: 1 / -1;
    display: flex;
    align-items: baseline;
    gap: var(--_space-2);
  }
  .group h2 {
    margin: 0;
    font-size: 1em;
    font-weight: 650;
  }
  .group .down {
    color: var(--_danger);
    font-weight: 600;
  }
  .message {
    padding: var(--_space-6) var(--_space-4);
    text-align: center;
    color: var(--_muted);
    margin: 0;
  }
  .message.error {
    color: var(--_danger);
  }
`;
