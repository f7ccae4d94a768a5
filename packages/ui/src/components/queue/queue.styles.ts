import { css } from 'lit';

export const queueStyles = css`
  :host {
    display: block;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space-2) var(--_space-4);
    margin-bottom: var(--_space-2);
  }
  .title {
    display: flex;
    align-items: baseline;
    flex-wrap: wrap;
    gap: var(--_space-2);
    min-width: 0;
  }
  h1 {
    margin: 0;
    font-size: 1.4em;
    font-weight: 650;
    overflow-wrap: anywhere;
  }
  .badge.backend {
    color: var(--_muted);
  }
  .badge.paused {
    color: var(--_warn);
    font-weight: 600;
  }
  .badge.readonly {
    color: var(--_muted);
  }
  .links {
    display: flex;
    align-items: center;
    gap: var(--_space-3);
    font-variant-numeric: tabular-nums;
  }
  .links .muted {
    font-variant-numeric: tabular-nums;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2) var(--_space-4);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
    min-height: 30px;
  }
  .actions .sep {
    width: 1px;
    align-self: stretch;
    background: var(--_border);
    margin: 0 var(--_space-1);
  }
  .result {
    margin: 0;
    color: var(--_text);
    font-variant-numeric: tabular-nums;
  }
  .problem {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: var(--_space-2);
    border: 1px solid color-mix(in srgb, var(--_danger) 45%, var(--_border));
    background: color-mix(in srgb, var(--_danger) 8%, var(--_bg));
    border-radius: var(--_radius);
    padding: var(--_space-2) var(--_space-3);
    margin: var(--_space-2) 0;
  }
  .problem strong {
    color: var(--_danger);
  }
  button.small {
    padding: 2px var(--_space-2);
  }
  [role='tablist'] {
    display: flex;
    gap: var(--_space-1);
    border-bottom: 1px solid var(--_border);
    margin-top: var(--_space-3);
    min-height: 37px;
    overflow-x: auto;
    scrollbar-width: thin;
  }
  [role='tab'] {
    display: inline-flex;
    align-items: baseline;
    gap: var(--_space-2);
    padding: var(--_space-2) var(--_space-3);
    color: var(--_muted);
    border-bottom: 2px solid transparent;
    margin-bottom: -1px;
    white-space: nowrap;
    text-decoration: none;
    border-radius: var(--_radius) var(--_radius) 0 0;
  }
  [role='tab']:hover {
    color: var(--_text);
    background: var(--_surface);
    text-decoration: none;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--_text);
    border-bottom-color: var(--_accent);
    font-weight: 600;
  }
  [role='tab']:focus-visible {
    outline-offset: -2px;
  }
  .tab-count {
    font-variant-numeric: tabular-nums;
    font-size: 0.9em;
    font-weight: 600;
  }
  .tab-count.zero {
    color: var(--_muted);
    font-weight: 400;
  }
  .panel {
    padding-top: var(--_space-2);
  }
  form.search {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    margin-bottom: var(--_space-1);
    max-width: 640px;
  }
  form.search input {
    flex: 1;
    min-width: 12ch;
  }
  .options {
    display: grid;
    grid-template-columns: auto 1fr;
    align-items: center;
    gap: var(--_space-2) var(--_space-3);
  }
  .options label {
    color: var(--_muted);
  }
  .options input {
    width: 12ch;
  }
  .placeholder {
    height: 120px;
  }
`;
