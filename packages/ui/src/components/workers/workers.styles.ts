import { css } from 'lit';

export const workersStyles = css`
  header {
    margin-bottom: var(--_space-3);
  }
  .count {
    font-variant-numeric: tabular-nums;
  }
  .filter {
    margin-left: auto;
    display: flex;
    align-items: center;
    gap: var(--_space-2);
  }
  .filter span {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .body {
    overflow-x: auto;
    transition: opacity 0.15s;
  }
  .body[aria-busy='true'] {
    opacity: 0.75;
  }
  td {
    vertical-align: top;
    white-space: nowrap;
  }
  td.queues {
    white-space: normal;
    min-width: 10ch;
  }
  .name {
    font-weight: 550;
  }
  .id {
    display: block;
    font-size: 0.8em;
  }
  tbody tr:hover {
    background: var(--_surface);
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
  .hint {
    max-width: 60ch;
    margin-inline: auto !important;
  }
  .hint a {
    text-decoration: underline;
  }
  .loading {
    padding: var(--_space-4) 0;
  }
`;
