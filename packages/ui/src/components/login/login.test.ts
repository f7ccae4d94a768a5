import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthStore } from '../../shared/auth';
import { expectAccessible } from '../../test-support/a11y';
import { createFakeApi, type FakeApi, type FakeAuth } from '../../test-support/fake-api';
import { QadminLogin } from './login';

if (!customElements.get('qadmin-login')) customElements.define('qadmin-login', QadminLogin);

const SIGNED_OUT: Partial<FakeAuth> = { principal: null };

async function mount(fake: FakeApi = createFakeApi({}, { auth: SIGNED_OUT })) {
  const el = document.createElement('qadmin-login');
  el.api = fake.api;
  document.body.append(el);
  await vi.waitFor(() => expect(AuthStore.for(fake.api).state.phase).toBe('known'));
  await el.updateComplete;
  return { el, ...fake };
}

const $ = <T extends Element = HTMLElement>(el: QadminLogin, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector);
const alertText = (el: QadminLogin) => $(el, '[role=alert]')?.textContent?.trim() ?? '';

function type(input: HTMLInputElement | null, value: string) {
  input!.value = value;
  input!.dispatchEvent(new Event('input'));
}

async function submit(el: QadminLogin, username: string, password: string) {
  type($(el, '#username'), username);
  type($(el, '#password'), password);
  await el.updateComplete;
  $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
}

describe('qadmin-login', () => {
  afterEach(() => document.body.replaceChildren());

  it('is a labelled form the browser can fill in, and accessible', async () => {
    const { el } = await mount();
    expect($(el, 'h1')!.textContent).toBe('Sign in');
    const username = $<HTMLInputElement>(el, '#username')!;
    const password = $<HTMLInputElement>(el, '#password')!;
    expect(username.labels![0]!.textContent).toBe('Username');
    expect(username.autocomplete).toBe('username');
    expect(password.labels![0]!.textContent).toBe('Password');
    expect(password.type).toBe('password');
    expect(password.autocomplete).toBe('current-password');
    expect($(el, 'button[type=submit]')!.textContent!.trim()).toBe('Sign in');
    await expectAccessible(el);
  });

  it('signs in: posts the credentials and tells every element who signed in', async () => {
    const { el, api, callsOf } = await mount();
    const started = vi.fn();
    el.addEventListener('qadmin-session-start', (e) => started(e.detail.principal?.name));
    await submit(el, ' ada ', 'secret');
    await vi.waitFor(() => expect(started).toHaveBeenCalledWith('ada'));
    expect(callsOf('login')).toEqual([[{ username: 'ada', password: 'secret' }]]);
    const store = AuthStore.for(api);
    expect(store.status?.principal?.role).toBe('admin');
    expect(store.can('queue.obliterate')).toBe(true);
    expect($<HTMLInputElement>(el, '#password')!.value).toBe('');
  });

  it('says the same for a wrong password and an unknown user, and keeps the username', async () => {
    const { el } = await mount();
    await submit(el, 'ada', 'wrong');
    await vi.waitFor(() => expect(alertText(el)).toBe('Wrong username or password.'));
    expect($<HTMLInputElement>(el, '#username')!.value).toBe('ada');
    expect($<HTMLInputElement>(el, '#password')!.value).toBe('');
    expect(el.shadowRoot!.activeElement?.id).toBe('password');
    await submit(el, 'nobody', 'secret');
    await vi.waitFor(() =>
      expect($(el, 'button[type=submit]')!.hasAttribute('disabled')).toBe(false),
    );
    expect(alertText(el)).toBe('Wrong username or password.');
    await expectAccessible(el);
  });

  it('says how long to wait after too many failed logins', async () => {
    const { el } = await mount(
      createFakeApi({}, { auth: { ...SIGNED_OUT, lockedForSeconds: 42 } }),
    );
    await submit(el, 'ada', 'secret');
    await vi.waitFor(() =>
      expect(alertText(el)).toBe('Too many failed sign-ins. Try again in 42 s.'),
    );
  });

  it('asks for what is missing without posting', async () => {
    const { el, callsOf } = await mount();
    await submit(el, '', '');
    await vi.waitFor(() => expect(alertText(el)).toBe('Enter your username.'));
    expect($(el, '#username')!.getAttribute('aria-invalid')).toBe('true');
    await submit(el, 'ada', '');
    await vi.waitFor(() => expect(alertText(el)).toBe('Enter your password.'));
    expect(callsOf('login')).toEqual([]);
  });

  it('says how to sign in when the dashboard has no password login', async () => {
    const { el } = await mount(createFakeApi({}, { auth: { ...SIGNED_OUT, login: false } }));
    expect($(el, 'h1')!.textContent).toBe('Not signed in');
    expect($(el, 'form')).toBeNull();
    expect(el.shadowRoot!.textContent).toMatch(/no password sign-in/);
    await expectAccessible(el);
  });
});

describe('qadmin-login, first-run setup', () => {
  afterEach(() => document.body.replaceChildren());

  const SETUP: Partial<FakeAuth> = {
    principal: null,
    setup: true,
    readOnlyReason: 'The dashboard has no admin yet, so nothing can be changed.',
  };
  const CODE = 'ABCDE-FGHJK-MNPQR-STVWX';
  const PASSWORD = 'a-long-admin-password';

  async function fill(
    el: QadminLogin,
    values: { code?: string; username?: string; password?: string; repeat?: string },
  ) {
    for (const [field, value] of Object.entries(values)) type($(el, `#${field}`), value);
    await el.updateComplete;
    $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
  }

  it('asks for the setup code, a username and a new password twice, accessibly', async () => {
    const { el } = await mount(createFakeApi({}, { auth: SETUP }));
    expect($(el, 'h1')!.textContent).toBe('Create the first admin');
    expect(el.shadowRoot!.textContent).toMatch(/setup code from the server's start-up output/);
    const labels = [...el.shadowRoot!.querySelectorAll('label')].map((l) => l.textContent);
    expect(labels).toEqual(['Setup code', 'Username', 'Password', 'Repeat the password']);
    expect($<HTMLInputElement>(el, '#code')!.autocomplete).toBe('one-time-code');
    for (const id of ['password', 'repeat']) {
      expect($<HTMLInputElement>(el, `#${id}`)!.type).toBe('password');
      expect($<HTMLInputElement>(el, `#${id}`)!.autocomplete).toBe('new-password');
    }
    expect($(el, '#password')!.getAttribute('aria-describedby')).toBe('password-hint');
    expect($(el, '#password-hint')!.textContent).toMatch(/At least 12 characters/);
    expect($(el, 'button[type=submit]')!.textContent!.trim()).toBe('Create admin and sign in');
    await expectAccessible(el);
  });

  it('checks what it can before posting: missing code, short password, passwords that differ', async () => {
    const { el, callsOf } = await mount(createFakeApi({}, { auth: SETUP }));
    await fill(el, { code: '', username: 'root', password: PASSWORD, repeat: PASSWORD });
    await vi.waitFor(() => expect(alertText(el)).toMatch(/^Enter the setup code/));
    expect($(el, '#code')!.getAttribute('aria-invalid')).toBe('true');
    await fill(el, { code: CODE, password: 'too-short', repeat: 'too-short' });
    await vi.waitFor(() =>
      expect(alertText(el)).toBe('Use at least 12 characters for the password.'),
    );
    expect(el.shadowRoot!.activeElement?.id).toBe('password');
    await fill(el, { password: PASSWORD, repeat: `${PASSWORD}!` });
    await vi.waitFor(() => expect(alertText(el)).toMatch(/two passwords differ/));
    expect($(el, '#repeat')!.getAttribute('aria-invalid')).toBe('true');
    expect(callsOf('setup')).toEqual([]);
  });

  it("says what the server refused: a wrong code, the server's own field check", async () => {
    const fake = createFakeApi({}, { auth: SETUP });
    const { el } = await mount(fake);
    await fill(el, {
      code: 'WRONG-CODE0-00000-00000',
      username: 'root',
      password: PASSWORD,
      repeat: PASSWORD,
    });
    await vi.waitFor(() =>
      expect(alertText(el)).toBe("Wrong setup code. Copy it from the server's start-up output."),
    );
    expect($(el, '#code')!.getAttribute('aria-invalid')).toBe('true');
    // The password stays: only the code was wrong.
    expect($<HTMLInputElement>(el, '#password')!.value).toBe(PASSWORD);
    await expectAccessible(el);
  });

  it('creates the admin and signs them in', async () => {
    const fake = createFakeApi({}, { auth: SETUP });
    const { el, api, callsOf } = await mount(fake);
    const started = vi.fn();
    el.addEventListener('qadmin-session-start', (e) => started(e.detail.principal?.name));
    await fill(el, { code: ` ${CODE} `, username: ' root ', password: PASSWORD, repeat: PASSWORD });
    await vi.waitFor(() => expect(started).toHaveBeenCalledWith('root'));
    expect(callsOf('setup')).toEqual([[{ code: CODE, username: 'root', password: PASSWORD }]]);
    const store = AuthStore.for(api);
    expect(store.status).toMatchObject({ setup: false, principal: { role: 'admin' } });
    expect(store.can('queue.obliterate')).toBe(true);
  });

  it('turns into the sign-in form when someone else finished the setup first', async () => {
    const fake = createFakeApi({}, { auth: SETUP });
    const { el } = await mount(fake);
    fake.auth.setup = false;
    await fill(el, { code: CODE, username: 'root', password: PASSWORD, repeat: PASSWORD });
    await vi.waitFor(() => expect($(el, 'h1')!.textContent).toBe('Sign in'));
    expect(alertText(el)).toBe('The first-run setup is already done: sign in.');
    expect($<HTMLInputElement>(el, '#username')!.value).toBe('root');
    expect($(el, '#repeat')).toBeNull();
  });
});
