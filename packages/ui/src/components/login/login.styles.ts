import { css } from 'lit';

export const loginStyles = css`
  :host {
    display: block;
  }
  .card {
    max-width: 360px;
    margin: var(--_space-6) auto;
    padding: var(--_space-6);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_raised);
  }
  h1 {
    font-size: 1.3em;
    margin: 0 0 var(--_space-4);
  }
  form {
    display: grid;
    gap: var(--_space-2);
  }
  label {
    font-weight: 600;
  }
  input {
    width: 100%;
    padding: var(--_space-2);
  }
  input + label {
    margin-top: var(--_space-2);
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  button[type='submit'] {
    margin-top: var(--_space-3);
    padding: var(--_space-2);
  }
  .error:empty {
    display: none;
  }
  .error {
    margin: 0;
    padding: var(--_space-2) var(--_space-3);
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_danger) 10%, var(--_bg));
  }
  p {
    margin: 0 0 var(--_space-3);
  }
  .intro {
    color: var(--_muted);
  }
  .hint {
    margin: 0;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .hint + label {
    margin-top: var(--_space-2);
  }
`;
