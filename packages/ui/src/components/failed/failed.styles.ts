import { css } from 'lit';

export const failedStyles = css`
  .total {
    color: var(--_danger);
    font-variant-numeric: tabular-nums;
  }
  .notice {
    min-height: 1.4em;
    margin: var(--_space-1) 0 var(--_space-2);
    color: var(--_ok);
    font-size: 0.9em;
  }
  .body {
    transition: opacity 0.15s;
  }
  .body[aria-busy='true'] {
    opacity: 0.8;
  }
  .summary {
    list-style: none;
    margin: 0 0 var(--_space-4);
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .summary li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-1) var(--_space-3);
    padding: var(--_space-1) var(--_space-3);
    min-height: 2.2em;
  }
  .summary li + li {
    border-top: 1px solid var(--_border);
  }
  .summary .queue {
    font-weight: 600;
  }
  .summary .backend {
    font-size: 0.85em;
  }
  .summary .count {
    color: var(--_danger);
    font-variant-numeric: tabular-nums;
  }
  .summary button {
    margin-left: auto;
  }
  .summary .error {
    flex-basis: 100%;
    font-size: 0.9em;
  }
  button.small {
    padding: 0 var(--_space-2);
    font-size: 0.9em;
  }
  .table-wrap {
    overflow-x: auto;
  }
  td {
    vertical-align: top;
  }
  td:not(.reason) {
    white-space: nowrap;
  }
  .reason {
    max-width: 50ch;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--_danger);
  }
  .actions {
    text-align: right;
  }
  .actions .error {
    display: block;
    white-space: normal;
    max-width: 30ch;
    font-size: 0.85em;
  }
  .ok {
    color: var(--_ok);
  }
  tbody tr:hover,
  tbody tr:focus-within {
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
    color: var(--_ok);
    margin-bottom: var(--_space-2) !important;
  }
  .loading {
    padding: var(--_space-4) 0;
  }
  dialog {
    background: var(--_raised);
    color: var(--_text);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space-4);
    max-width: min(32rem, 90vw);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  dialog h2 {
    margin: 0 0 var(--_space-3);
    font-size: 1.1em;
  }
  .confirm-field {
    display: flex;
    flex-direction: column;
    gap: var(--_space-1);
  }
  .dialog-actions {
    display: flex;
    justify-content: flex-end;
    gap: var(--_space-2);
    margin-top: var(--_space-4);
  }
`;
