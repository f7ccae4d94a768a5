import { css } from 'lit';

export const auditStyles = css`
  header {
    margin-bottom: var(--_space-3);
  }
  .body {
    overflow-x: auto;
  }
  td {
    vertical-align: top;
    white-space: nowrap;
  }
  td.target {
    white-space: normal;
    min-width: 14ch;
  }
  .detail {
    display: block;
    font-size: 0.85em;
    white-space: normal;
    max-width: 40ch;
  }
  .outcome-error {
    color: var(--_danger);
    font-weight: 550;
  }
  tbody tr:hover {
    background: var(--_surface);
  }
  .pager {
    display: flex;
    gap: var(--_space-2);
    margin-top: var(--_space-3);
  }
  .empty {
    padding: var(--_space-6) var(--_space-4);
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    text-align: center;
  }
  .loading {
    padding: var(--_space-4) 0;
  }
`;
