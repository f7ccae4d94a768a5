import { css } from 'lit';

/**
 * Design tokens, read with fallbacks so nothing needs a global stylesheet.
 * Colours follow the inherited `color-scheme` (`light-dark()`); `qadmin-app`
 * sets it from the system or a forced theme, and an embedding page can set
 * its own or override any `--qadmin-*` token.
 */
export const tokens = css`
  :host {
    --_bg: var(--qadmin-color-bg, light-dark(#ffffff, #111318));
    --_surface: var(--qadmin-color-surface, light-dark(#f6f7f9, #1a1d24));
    --_raised: var(--qadmin-color-raised, light-dark(#ffffff, #222631));
    --_border: var(--qadmin-color-border, light-dark(#dfe2e8, #2e3340));
    --_text: var(--qadmin-color-text, light-dark(#1b1e24, #e6e8ee));
    --_muted: var(--qadmin-color-muted, light-dark(#5d6573, #9aa3b2));
    --_accent: var(--qadmin-color-accent, light-dark(#3b5bdb, #8ea6ff));
    --_on-accent: var(--qadmin-color-on-accent, light-dark(#ffffff, #0d1020));
    --_ok: var(--qadmin-color-ok, light-dark(#1f7a3d, #5fd08a));
    --_warn: var(--qadmin-color-warn, light-dark(#9a5b00, #f3b552));
    --_danger: var(--qadmin-color-danger, light-dark(#c92a2a, #ff8787));
    --_info: var(--qadmin-color-info, light-dark(#1864ab, #74c0fc));
    --_space-1: var(--qadmin-space-1, 4px);
    --_space-2: var(--qadmin-space-2, 8px);
    --_space-3: var(--qadmin-space-3, 12px);
    --_space-4: var(--qadmin-space-4, 16px);
    --_space-6: var(--qadmin-space-6, 24px);
    --_radius: var(--qadmin-radius, 6px);
    --_font: var(
      --qadmin-font-family,
      system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif
    );
    --_mono: var(--qadmin-font-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    --_font-size: var(--qadmin-font-size, 14px);
    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_text);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  a {
    color: var(--_accent);
    text-decoration: none;
  }
  a:hover {
    text-decoration: underline;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    background: var(--_raised);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space-1) var(--_space-3);
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--_accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  button.danger {
    color: var(--_danger);
  }
  button.danger.primary {
    background: var(--_danger);
    border-color: var(--_danger);
    color: var(--_on-accent);
  }
  input,
  select,
  textarea {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space-1) var(--_space-2);
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th {
    text-align: left;
    font-weight: 600;
    color: var(--_muted);
    font-size: 0.85em;
  }
  th,
  td {
    padding: var(--_space-1) var(--_space-2);
    border-bottom: 1px solid var(--_border);
  }
  .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .muted {
    color: var(--_muted);
  }
  .mono {
    font-family: var(--_mono);
    font-size: 0.92em;
  }
  .badge {
    display: inline-block;
    padding: 0 var(--_space-2);
    border-radius: 999px;
    font-size: 0.8em;
    border: 1px solid currentColor;
  }
  .error {
    color: var(--_danger);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** The colour of each canonical job state (for badges, counts, charts). */
export const stateColors = css`
  .state-waiting,
  .state-prioritized {
    color: var(--_info);
  }
  .state-active {
    color: var(--_accent);
  }
  .state-completed {
    color: var(--_ok);
  }
  .state-failed {
    color: var(--_danger);
  }
  .state-delayed,
  .state-paused,
  .state-waiting-children {
    color: var(--_warn);
  }
`;

/**
 * What every page view of the dashboard shares (Failed, Workers, Schedules,
 * Metrics, Audit): its padding, its header row with the title, and the
 * "updating" mark that keeps its place while hidden. A view's own sheet
 * comes after it and adds or overrides.
 *
 * @example
 * ```ts
 * static override styles = [tokens, viewStyles, workersStyles];
 * ```
 */
export const viewStyles = css`
  :host {
    display: block;
    padding: var(--_space-4);
  }
  header {
    display: flex;
    align-items: baseline;
    flex-wrap: wrap;
    gap: var(--_space-2) var(--_space-3);
  }
  h1 {
    font-size: 1.25em;
    margin: 0;
  }
  .busy {
    font-size: 0.85em;
  }
  .busy[hidden] {
    display: inline;
    visibility: hidden;
  }
`;
