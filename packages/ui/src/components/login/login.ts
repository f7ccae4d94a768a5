import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { AuthController, type AuthStatus } from '../../shared/auth';
import { QadminElement } from '../../shared/element';
import { errorMessage } from '../../shared/format';
import { tokens } from '../../shared/styles';
import { loginStyles } from './login.styles';

type Field = 'username' | 'password';

function statusOf(error: unknown): unknown {
  return (error as { status?: unknown } | null | undefined)?.status;
}

/** What to tell the user when a login fails: never whether the username exists. */
function loginError(error: unknown): string {
  switch (statusOf(error)) {
    case 401:
      return 'Wrong username or password.';
    case 429: {
      const detail = (error as { detail?: unknown }).detail;
      return `Too many failed sign-ins. ${typeof detail === 'string' && detail ? `${detail}.` : 'Try again later.'}`;
    }
    case 404:
      return 'This dashboard has no password sign-in.';
    default:
      return `Could not sign in: ${errorMessage(error)}`;
  }
}

/**
 * The sign-in page: a username and password form that posts
 * `api/auth/login` (the session cookie comes with the answer), saying why a
 * login failed without telling whether the username exists. When the
 * dashboard has no password login (only tokens or a proxy sign people in) it
 * says so instead of showing the form. After signing in, every element that
 * shares its API learns who is signed in (`qadmin-app` then shows the
 * dashboard).
 *
 * @summary The sign-in form of the dashboard.
 * @event qadmin-session-start - Someone signed in (detail: the AuthStatus the login answered).
 * @cssproperty --qadmin-color-danger - Colour of the error message.
 */
export class QadminLogin extends QadminElement {
  static override styles = [tokens, loginStyles];
  // focus() puts the cursor in the first field (the app does so after signing out).
  static override shadowRootOptions: ShadowRootInit = {
    ...QadminElement.shadowRootOptions,
    delegatesFocus: true,
  };
  static override properties: PropertyDeclarations = {
    heading: {},
    username: { state: true },
    password: { state: true },
    busy: { state: true },
    error: { state: true },
    invalid: { state: true },
  };

  /** The heading of the page (default "Sign in"). */
  declare heading: string;
  declare username: string;
  declare password: string;
  declare busy: boolean;
  declare error: string;
  declare invalid: Field | null;

  #auth = new AuthController(this, () => this.client);

  constructor() {
    super();
    this.heading = 'Sign in';
    this.username = '';
    this.password = '';
    this.busy = false;
    this.error = '';
    this.invalid = null;
  }

  #focus(field: Field): void {
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLInputElement>(`#${field}`)?.focus(),
    );
  }

  #submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (this.busy) return;
    const username = this.username.trim();
    const missing: Field | null = !username ? 'username' : !this.password ? 'password' : null;
    if (missing) {
      this.invalid = missing;
      this.error = missing === 'username' ? 'Enter your username.' : 'Enter your password.';
      this.#focus(missing);
      return;
    }
    this.busy = true;
    this.error = '';
    this.invalid = null;
    try {
      const status: AuthStatus = await this.client.login({ username, password: this.password });
      this.password = '';
      this.#auth.store.signedIn(status);
      this.emit<AuthStatus>('qadmin-session-start', status);
    } catch (error) {
      this.password = '';
      this.error = loginError(error);
      if (statusOf(error) === 404) {
        // The server says otherwise than `me()` did: ask again (the page shows what it says).
        void this.#auth.store.load();
      } else {
        this.#focus('password');
      }
    } finally {
      this.busy = false;
    }
  };

  #form(): TemplateResult {
    return html`<form @submit=${this.#submit} novalidate aria-busy=${this.busy ? 'true' : 'false'}>
      <p id="login-error" class="error" role="alert">${this.error}</p>
      <label for="username">Username</label>
      <input
        id="username"
        name="username"
        autocomplete="username"
        autocapitalize="none"
        spellcheck="false"
        required
        aria-invalid=${this.invalid === 'username' ? 'true' : 'false'}
        aria-describedby=${this.error ? 'login-error' : nothing}
        .value=${live(this.username)}
        @input=${(e: InputEvent) => {
          this.username = (e.target as HTMLInputElement).value;
          if (this.invalid === 'username') this.invalid = null;
        }}
      />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        aria-invalid=${this.invalid === 'password' ? 'true' : 'false'}
        aria-describedby=${this.error ? 'login-error' : nothing}
        .value=${live(this.password)}
        @input=${(e: InputEvent) => {
          this.password = (e.target as HTMLInputElement).value;
          if (this.invalid === 'password') this.invalid = null;
        }}
      />
      <button type="submit" class="primary" ?disabled=${this.busy}>
        ${this.busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>`;
  }

  #noLogin(): TemplateResult {
    return html`<p>
        You are not signed in, and this dashboard has no password sign-in: it recognises people
        by an access token or through the sign-in of the proxy in front of it.
      </p>
      <p>Sign in there, then check again.</p>
      <button type="button" @click=${() => this.#auth.store.load()}>Check again</button>`;
  }

  protected override render(): TemplateResult {
    const state = this.#auth.state;
    const noLogin = state.phase === 'known' && !state.status.login;
    return html`<section class="card" aria-labelledby="login-heading">
      <h1 id="login-heading">${noLogin ? 'Not signed in' : this.heading}</h1>
      ${noLogin ? this.#noLogin() : this.#form()}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-login': QadminLogin;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-session-start': CustomEvent<AuthStatus>;
  }
}
