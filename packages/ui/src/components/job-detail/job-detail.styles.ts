import { css } from 'lit';

export const jobDetailStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    padding: var(--_space-4);
  }
  header {
    margin-bottom: var(--_space-3);
  }
  .crumbs {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-1);
    font-size: 0.85em;
    color: var(--_muted);
  }
  h1 {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_space-2);
    margin: var(--_space-1) 0 0;
    font-size: 1.35em;
    font-weight: 650;
  }
  h1 .id {
    font-weight: 400;
    color: var(--_muted);
    font-size: 0.75em;
    overflow-wrap: anywhere;
  }
  h1 .badge {
    font-size: 0.6em;
    font-weight: 500;
    align-self: center;
  }
  h1 .native {
    font-size: 0.6em;
    font-weight: 400;
  }
  h2 {
    font-size: 0.8em;
    font-weight: 650;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--_muted);
    margin: 0 0 var(--_space-2);
  }
  h3 {
    font-size: 0.85em;
    margin: var(--_space-2) 0 var(--_space-1);
  }
  section {
    margin-bottom: var(--_space-4);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-2);
    margin-bottom: var(--_space-2);
  }
  .editor {
    display: grid;
    gap: var(--_space-1);
    max-width: 48rem;
    padding: var(--_space-3);
    margin-bottom: var(--_space-2);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .editor label {
    font-weight: 600;
  }
  .editor textarea {
    width: 100%;
    resize: vertical;
  }
  .editor input {
    max-width: 12rem;
  }
  .editor .hint,
  .editor .error {
    margin: 0;
    font-size: 0.85em;
  }
  .editor .error:empty {
    display: none;
  }
  .editor [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .buttons {
    display: flex;
    gap: var(--_space-2);
  }
  /* Reserved space: outcomes appear without pushing the page around. */
  .outcome-slot {
    min-height: 1.8em;
    margin-bottom: var(--_space-2);
  }
  .outcome {
    padding: var(--_space-1) var(--_space-3);
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_surface);
  }
  .outcome.ok {
    border-color: var(--_ok);
  }
  .outcome.failed {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space-2);
    color: var(--_danger);
    border-color: var(--_danger);
  }
  .dismiss {
    border: none;
    background: none;
    color: inherit;
    padding: 0 var(--_space-1);
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--_space-4);
  }
  @container (min-width: 900px) {
    .layout {
      grid-template-columns: minmax(0, 2fr) minmax(18rem, 1fr);
    }
  }
  .progress-row {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    margin-bottom: var(--_space-4);
  }
  .progress {
    flex: 1;
    height: 8px;
    border-radius: 999px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    overflow: hidden;
  }
  .fill {
    height: 100%;
    background: var(--_accent);
    transition: width 0.3s ease;
  }
  .percent {
    min-width: 4ch;
  }
  .failure .reason {
    margin: 0 0 var(--_space-2);
    color: var(--_danger);
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  details {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin-bottom: var(--_space-1);
  }
  summary {
    cursor: pointer;
    padding: var(--_space-1) var(--_space-2);
    color: var(--_muted);
    font-size: 0.85em;
  }
  pre {
    margin: 0;
    padding: var(--_space-2);
    white-space: pre;
    overflow: auto;
    max-height: 24rem;
    background: var(--_surface);
    border-top: 1px solid var(--_border);
    tab-size: 4;
  }
  .facts {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--_space-2) var(--_space-4);
    margin: 0;
  }
  .facts dt {
    color: var(--_muted);
    font-size: 0.8em;
  }
  .facts dd {
    margin: 0;
    text-align: left;
    overflow-wrap: anywhere;
  }
  .timeline {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .timeline li {
    position: relative;
    padding: 0 0 var(--_space-2) var(--_space-4);
    border-left: 2px solid var(--_border);
    margin-left: 4px;
  }
  .timeline li:last-child {
    border-left-color: transparent;
  }
  .timeline li::before {
    content: '';
    position: absolute;
    left: -6px;
    top: 0.35em;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--_accent);
  }
  .timeline li.pending::before {
    background: var(--_bg);
    border: 2px solid var(--_border);
  }
  .step {
    display: block;
    font-weight: 600;
    font-size: 0.9em;
  }
  .abs {
    display: block;
    color: var(--_muted);
    font-size: 0.8em;
    font-variant-numeric: tabular-nums;
  }
  .duration {
    display: inline-block;
    font-size: 0.8em;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .children {
    list-style: none;
    margin: 0;
    padding: 0;
    max-height: 20rem;
    overflow: auto;
  }
  .children li,
  .parent {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    margin: 0 0 var(--_space-1);
  }
  .logs table {
    font-size: 0.9em;
  }
  .logs td {
    vertical-align: top;
  }
  .logs td.num {
    width: 1%;
    white-space: nowrap;
  }
  .logs .time {
    width: 1%;
    white-space: nowrap;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .logs .message {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .more {
    margin: var(--_space-1) 0;
    font-size: 0.85em;
  }
  .empty {
    padding: var(--_space-6) var(--_space-4);
    text-align: center;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }
  .empty h2 {
    text-transform: none;
    letter-spacing: 0;
    font-size: 1.1em;
    color: var(--_text);
  }
  .loading {
    padding: var(--_space-4) 0;
  }
  code {
    font-family: var(--_mono);
  }
`;
