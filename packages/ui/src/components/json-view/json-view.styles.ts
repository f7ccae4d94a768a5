import { css } from 'lit';

export const jsonViewStyles = css`
  :host {
    display: block;
    min-width: 0;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-2);
    margin-bottom: var(--_space-1);
  }
  .toolbar button {
    font-size: 0.85em;
    padding: 0 var(--_space-2);
  }
  .message {
    color: var(--_muted);
    font-size: 0.85em;
  }
  [role='tree'] {
    font-family: var(--_mono);
    font-size: 0.9em;
    line-height: 1.5;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space-1) var(--_space-2);
    overflow: auto;
    max-height: var(--qadmin-json-max-height, 32rem);
  }
  .item {
    /* One guide line per level, drawn in the indentation. */
    padding-left: calc(var(--level, 0) * 1.25em);
    background: repeating-linear-gradient(
        to right,
        transparent 0 0.4em,
        var(--_border) 0.4em calc(0.4em + 1px),
        transparent calc(0.4em + 1px) 1.25em
      )
      left top / calc(var(--level, 0) * 1.25em) 100% no-repeat;
  }
  .item:focus {
    outline: none;
  }
  .item:focus-visible > .row {
    outline: 2px solid var(--_accent);
    outline-offset: -1px;
    border-radius: 3px;
  }
  /* Keys line up whether or not a row has a twisty; wrapped text stays indented. */
  .row {
    display: block;
    overflow-wrap: anywhere;
    padding-left: 1em;
  }
  .item[data-kind='container'] > .row {
    cursor: pointer;
  }
  .item[data-kind='container'] > .row:hover {
    background: var(--_raised);
  }
  .twisty {
    display: inline-block;
    width: 1em;
    margin-left: -1em;
    color: var(--_muted);
  }
  .twisty::before {
    content: '▸';
  }
  .item[aria-expanded='true'] > .row .twisty::before {
    content: '▾';
  }
  .key {
    color: var(--_text);
  }
  .key,
  .string {
    white-space: pre-wrap;
  }
  .punct,
  .count,
  .preview {
    color: var(--_muted);
  }
  .count {
    font-family: var(--_font);
    font-size: 0.85em;
    margin-left: var(--_space-1);
    font-variant-numeric: tabular-nums;
  }
  .string {
    color: var(--_ok);
  }
  .number {
    color: var(--_info);
    font-variant-numeric: tabular-nums;
  }
  .literal {
    color: var(--_warn);
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    color: var(--_accent);
    font-family: var(--_font);
    font-size: 0.85em;
    text-decoration: underline;
  }
`;
