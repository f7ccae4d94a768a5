import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { AuthController, type AuthStatus } from '../../shared/auth';
import { QadminElement } from '../../shared/element';
import { errorMessage } from '../../shared/format';
import { tokens } from '../../shared/styles';
import { loginStyles } from './login.styles';

type Field = 'username' | 'password' | 'code' | 'repeat';

/** What core asks of a password chosen in the first-run setup (its MIN_PASSWORD_LENGTH). */
const MIN_PASSWORD_LENGTH = 12;
const FIELD_NAMES: Record<string, string> = {
  code: 'setup code',
  username: 'username',
  password: 'password',
};

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

/** What to tell the user when the first-run setup fails, and which field to fix. */
function setupError(error: unknown): { message: string; field: Field | null } {
  const detail = (error as { detail?: unknown }).detail;
  switch (statusOf(error)) {
    case 400: {
      const field = String((error as { field?: unknown }).field ?? '').replace(/^body\./, '');
      const name = FIELD_NAMES[field];
      if (name && typeof detail === 'string') {
        return {
          message: /^must /.test(detail)
            ? `The ${name} ${detail}.`
            : `Check the ${name}: ${detail}.`,
          field: field as Field,
        };
      }
      break;
    }
    case 403:
      if ((error as { code?: unknown }).code === 'invalid-setup-code') {
        return {
          message: "Wrong setup code. Copy it from the server's start-up output.",
          field: 'code',
        };
      }
      break;
    case 409:
      return { message: 'The first-run setup is already done: sign in.', field: null };
    case 429:
      return {
        message: `Too many wrong setup codes. ${typeof detail === 'string' && detail ? `${detail}.` : 'Try again later.'}`,
        field: null,
      };
  }
  return { message: `Could not set up: ${errorMessage(error)}`, field: null };
}

/**
 * The sign-in page: a username and password form that posts
 * `api/auth/login` (the session cookie comes with the answer), saying why a
 * login failed without telling whether the username exists. When the
 * dashboard has no password login (only tokens or a proxy sign people in) it
 * says so instead of showing the form. While the dashboard waits for its
 * first-run setup (`setup` in `api/auth/me`) it shows the setup form
 * instead: the setup code from the server's start-up output, the first
 * admin's username and password (twice, at least 12 characters), posted to
 * `api/auth/setup`, which signs the new admin in. After signing in, every
 * element that shares its API learns who is signed in (`qadmin-app` then
 * shows the dashboard).
 *
 * @summary The sign-in form of the dashboard, and its first-run setup.
 * @event qadmin-session-start - Someone signed in, or the first admin was created (detail: the AuthStatus the server answered).
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
    code: { state: true },
    repeat: { state: true },
    busy: { state: true },
    error: { state: true },
    invalid: { state: true },
  };

  /** The heading of the page (default "Sign in"). */
  declare heading: string;
  declare username: string;
  declare password: string;
  /** The setup code typed in the first-run setup form. */
  declare code: string;
  /** The password typed again in the first-run setup form. */
  declare repeat: string;
  declare busy: boolean;
  declare error: string;
  declare invalid: Field | null;

  #auth = new AuthController(this, () => this.client);

  constructor() {
    super();
    this.heading = 'Sign in';
    this.username = '';
    this.password = '';
    this.code = '';
    this.repeat = '';
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

  /** The first-run setup: checked here first, so that a typo costs no attempt. */
  #submitSetup = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (this.busy) return;
    const code = this.code.trim();
    const username = this.username.trim();
    const problem: [Field, string] | null = !code
      ? ['code', "Enter the setup code from the server's start-up output."]
      : !username
        ? ['username', 'Choose a username.']
        : this.password.length < MIN_PASSWORD_LENGTH
          ? ['password', `Use at least ${MIN_PASSWORD_LENGTH} characters for the password.`]
          : this.repeat !== this.password
            ? ['repeat', 'The two passwords differ: type the same one twice.']
            : null;
    if (problem) {
      [this.invalid, this.error] = problem;
      this.#focus(problem[0]);
      return;
    }
    this.busy = true;
    this.error = '';
    this.invalid = null;
    try {
      const status: AuthStatus = await this.client.setup({
        code,
        username,
        password: this.password,
      });
      this.code = '';
      this.password = '';
      this.repeat = '';
      this.#auth.store.signedIn(status);
      this.emit<AuthStatus>('qadmin-session-start', status);
    } catch (error) {
      const { message, field } = setupError(error);
      this.error = message;
      this.invalid = field;
      if (statusOf(error) === 409) {
        // Someone else finished it: the page turns into the sign-in form.
        this.password = '';
        this.repeat = '';
        void this.#auth.store.load();
      } else {
        this.#focus(field ?? 'code');
      }
    } finally {
      this.busy = false;
    }
  };

  #input(
    field: Field,
    label: string,
    attributes: { type?: string; autocomplete: string; hint?: string },
  ): TemplateResult {
    const describedBy = [this.error ? 'login-error' : '', attributes.hint ? `${field}-hint` : '']
      .filter(Boolean)
      .join(' ');
    return html`<label for=${field}>${label}</label>
      <input
        id=${field}
        name=${field}
        type=${attributes.type ?? 'text'}
        autocomplete=${attributes.autocomplete}
        autocapitalize="none"
        spellcheck="false"
        required
        aria-invalid=${this.invalid === field ? 'true' : 'false'}
        aria-describedby=${describedBy || nothing}
        .value=${live(this[field])}
        @input=${(e: InputEvent) => {
          this[field] = (e.target as HTMLInputElement).value;
          if (this.invalid === field) this.invalid = null;
        }}
      />
      ${attributes.hint ? html`<p id="${field}-hint" class="hint">${attributes.hint}</p>` : nothing}`;
  }

  #setupForm(): TemplateResult {
    return html`<p class="intro">
        This dashboard has no users yet, so nothing can be seen or changed. Create its first
        admin with the setup code from the server's start-up output; you are then signed in.
      </p>
      <form @submit=${this.#submitSetup} novalidate aria-busy=${this.busy ? 'true' : 'false'}>
        <p id="login-error" class="error" role="alert">${this.error}</p>
        ${this.#input('code', 'Setup code', { autocomplete: 'one-time-code' })}
        ${this.#input('username', 'Username', { autocomplete: 'username' })}
        ${this.#input('password', 'Password', {
          type: 'password',
          autocomplete: 'new-password',
          hint: `At least ${MIN_PASSWORD_LENGTH} characters. Only its hash is stored.`,
        })}
        ${this.#input('repeat', 'Repeat the password', {
          type: 'password',
          autocomplete: 'new-password',
        })}
        <button type="submit" class="primary" ?disabled=${this.busy}>
          ${this.busy ? 'Creating the admin…' : 'Create admin and sign in'}
        </button>
      </form>`;
  }

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
    // An older server says nothing of a setup: `setup` is then undefined.
    if (state.phase === 'known' && state.status.setup === true) {
      return html`<section class="card" aria-labelledby="login-heading">
        <h1 id="login-heading">Create the first admin</h1>
        ${this.#setupForm()}
      </section>`;
    }
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
