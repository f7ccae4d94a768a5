import { css } from 'lit';

export const schedulesStyles = css`
  .count {
    font-variant-numeric: tabular-nums;
  }
  .toolbar {
    margin-left: auto;
    display: flex;
    gap: var(--_space-2);
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
  .body > .error {
    margin: 0 0 var(--_space-2);
  }
  .table-wrap {
    overflow-x: auto;
  }
  td {
    vertical-align: top;
    white-space: nowrap;
  }
  td.repeat {
    white-space: normal;
    min-width: 16ch;
  }
  .pattern {
    font-family: var(--_mono);
    font-size: 0.92em;
  }
  .repeat .describe {
    display: block;
    font-size: 0.85em;
  }
  .abs {
    display: block;
    font-size: 0.8em;
    font-variant-numeric: tabular-nums;
  }
  td.data {
    max-width: 28ch;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  td.actions {
    text-align: right;
  }
  td.actions button + button {
    margin-left: var(--_space-1);
  }
  button.small {
    padding: 0 var(--_space-2);
    font-size: 0.9em;
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
    margin-bottom: var(--_space-2) !important;
  }
  .loading {
    padding: var(--_space-4) 0;
  }
  form.create {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    padding: var(--_space-3) var(--_space-4);
    margin-bottom: var(--_space-4);
    max-width: 56rem;
  }
  form.create h2 {
    font-size: 1.05em;
    margin: 0 0 var(--_space-3);
  }
  .fields {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: var(--_space-2) var(--_space-3);
    align-items: start;
  }
  .fields > label,
  .fields > .label {
    font-weight: 550;
    font-size: 0.92em;
    padding-top: 5px;
  }
  .fields input:not([type='radio']),
  .fields select,
  .fields textarea {
    width: min(100%, 32rem);
  }
  .fields textarea {
    resize: vertical;
  }
  .every {
    display: flex;
    align-items: baseline;
    gap: var(--_space-2);
  }
  .every input {
    width: 8rem !important;
  }
  .every select {
    width: auto !important;
  }
  .single-id {
    padding-top: 5px;
  }
  .kind {
    display: flex;
    gap: var(--_space-4);
    padding-top: 4px;
  }
  .kind label {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-1);
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field-error {
    display: block;
    color: var(--_danger);
    font-size: 0.88em;
    margin-top: 2px;
  }
  .hint {
    display: block;
    font-size: 0.85em;
    margin-top: 2px;
  }
  .preview {
    min-height: 7.5em;
    font-size: 0.92em;
  }
  .preview p {
    margin: 0;
  }
  .preview .describe {
    font-weight: 550;
  }
  .next-label {
    margin-top: var(--_space-1) !important;
  }
  .runs {
    margin: var(--_space-1) 0 0;
    padding-left: 1.5em;
    font-variant-numeric: tabular-nums;
  }
  .cron-error {
    font-family: var(--_mono);
    font-size: 0.92em;
  }
  .form-actions {
    display: flex;
    justify-content: flex-end;
    gap: var(--_space-2);
    margin-top: var(--_space-3);
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
  @media (max-width: 640px) {
    .fields {
      grid-template-columns: 1fr;
    }
  }
`;
