import { css } from 'lit';

export const overviewStyles = css`
  :host {
    display: block;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space-2) var(--_space-4);
    margin-bottom: var(--_space-3);
  }
  .title {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_space-2) var(--_space-4);
    min-width: 0;
  }
  h1 {
    margin: 0;
    font-size: 1.3em;
    font-weight: 650;
  }
  .summary {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1) var(--_space-3);
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .summary strong {
    color: var(--_text);
    font-weight: 600;
  }
  .summary .state-failed strong {
    color: var(--_danger);
  }
  .summary .down {
    color: var(--_danger);
  }
  .search {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
  }
  .search input {
    width: 18rem;
    max-width: 60vw;
  }
  .matches {
    color: var(--_muted);
    font-size: 0.85em;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .warnings {
    display: grid;
    gap: var(--_space-2);
    margin-bottom: var(--_space-3);
  }
  .warning {
    padding: var(--_space-2) var(--_space-3);
    border: 1px solid color-mix(in srgb, var(--_danger) 45%, var(--_border));
    border-left-width: 4px;
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_danger) 8%, var(--_bg));
  }
  .warning code {
    font-family: var(--_mono);
    font-size: 0.92em;
    overflow-wrap: anywhere;
  }
  .note {
    margin: 0 0 var(--_space-2);
    color: var(--_muted);
    font-size: 0.85em;
  }
  .message {
    padding: var(--_space-6) var(--_space-4);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    text-align: center;
    color: var(--_muted);
    margin: 0;
  }
  .message.error {
    color: var(--_danger);
  }
  .message button {
    margin-left: var(--_space-2);
  }
`;
