import { css } from 'lit';

export const appStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: var(--_bg);
    color-scheme: light dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  header {
    display: flex;
    align-items: center;
    gap: var(--_space-4);
    padding: var(--_space-2) var(--_space-4);
    border-bottom: 1px solid var(--_border);
    background: var(--_surface);
    position: sticky;
    top: 0;
    z-index: 2;
  }
  .brand {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    font-weight: 650;
    color: var(--_text);
  }
  .brand img {
    height: 22px;
  }
  nav {
    display: flex;
    gap: var(--_space-1);
    flex: 1;
    flex-wrap: wrap;
  }
  nav a {
    color: var(--_muted);
    padding: var(--_space-1) var(--_space-2);
    border-radius: var(--_radius);
  }
  nav a[aria-current='page'] {
    color: var(--_text);
    background: var(--_raised);
    box-shadow: inset 0 0 0 1px var(--_border);
  }
  .status {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
    color: var(--_muted);
    font-size: 0.85em;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_muted);
  }
  .dot.live {
    background: var(--_ok);
  }
  .dot.polling {
    background: var(--_warn);
  }
  .dot.offline {
    background: var(--_danger);
  }
  .banner {
    padding: var(--_space-2) var(--_space-4);
    border-bottom: 1px solid var(--_border);
    background: color-mix(in srgb, var(--_warn) 14%, var(--_bg));
  }
  .banner.offline,
  .banner.danger {
    background: color-mix(in srgb, var(--_danger) 14%, var(--_bg));
  }
  .spacer {
    flex: 1;
  }
  .who {
    display: flex;
    align-items: center;
    gap: var(--_space-2);
  }
  .who .role {
    color: var(--_muted);
  }
  main:focus {
    outline: none;
  }
  .readonly {
    font-size: 0.8em;
    color: var(--_warn);
  }
  main {
    padding: var(--_space-4);
    max-width: 1400px;
    margin: 0 auto;
  }
  dialog {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_raised);
    color: var(--_text);
    padding: var(--_space-4);
    min-width: 320px;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.4);
  }
  kbd {
    font-family: var(--_mono);
    border: 1px solid var(--_border);
    border-bottom-width: 2px;
    border-radius: 4px;
    padding: 0 4px;
  }
  dl.keys {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: var(--_space-2) var(--_space-4);
  }
  dd {
    margin: 0;
  }
`;
