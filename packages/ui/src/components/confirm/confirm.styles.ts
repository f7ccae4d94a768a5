import { css } from 'lit';

export const confirmStyles = css`
  :host {
    display: contents;
  }
  dialog {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_raised);
    color: var(--_text);
    padding: 0;
    width: min(460px, calc(100vw - 2 * var(--_space-4)));
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.25);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  form {
    display: flex;
    flex-direction: column;
    gap: var(--_space-3);
    padding: var(--_space-4);
  }
  h2 {
    margin: 0;
    font-size: 1.1em;
    font-weight: 650;
  }
  :host([danger]) h2 {
    color: var(--_danger);
  }
  .message {
    margin: 0;
    color: var(--_text);
  }
  .message:empty {
    display: none;
  }
  ::slotted(*) {
    margin: 0;
  }
  .type label {
    display: block;
    margin-bottom: var(--_space-1);
    color: var(--_muted);
  }
  .type strong {
    font-family: var(--_mono);
    color: var(--_text);
    font-weight: 600;
    user-select: all;
  }
  .type input {
    width: 100%;
    font-family: var(--_mono);
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: var(--_space-2);
    margin-top: var(--_space-1);
  }
`;
