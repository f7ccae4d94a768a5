import { afterEach, describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test-support/a11y';
import { QadminConfirm } from './confirm';

if (!customElements.get('qadmin-confirm')) customElements.define('qadmin-confirm', QadminConfirm);

async function mount(props: Partial<QadminConfirm> = {}) {
  const opener = document.createElement('button');
  opener.textContent = 'Open';
  document.body.append(opener);
  const el = document.createElement('qadmin-confirm');
  Object.assign(el, {
    heading: 'Empty emails?',
    message: 'Removes every job that is not active.',
    actionLabel: 'Empty queue',
    danger: true,
    ...props,
  });
  document.body.append(el);
  await el.updateComplete;
  opener.focus();
  return { el, opener };
}

function parts(el: QadminConfirm) {
  const root = el.shadowRoot!;
  return {
    dialog: root.querySelector('dialog')!,
    input: root.querySelector<HTMLInputElement>('input'),
    action: root.querySelector<HTMLButtonElement>('button.action')!,
    cancel: root.querySelector<HTMLButtonElement>('button.cancel')!,
  };
}

async function type(el: QadminConfirm, text: string) {
  const { input } = parts(el);
  input!.value = text;
  input!.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

describe('qadmin-confirm', () => {
  afterEach(() => document.body.replaceChildren());

  it('opens modal, focuses the text field, and confirms only once the name is typed', async () => {
    const { el, opener } = await mount({ confirmText: 'emails' });
    const answer = el.ask();
    await el.updateComplete;
    const { dialog, input, action } = parts(el);
    expect(dialog.open).toBe(true);
    expect(el.shadowRoot!.activeElement).toBe(input);
    expect(dialog.textContent).toContain('Removes every job that is not active.');
    expect(dialog.querySelector('label')!.textContent).toMatch(/Type\s+emails\s+to confirm/);
    expect(action.disabled).toBe(true);
    await type(el, 'email');
    expect(action.disabled).toBe(true);
    await type(el, 'emails');
    expect(action.disabled).toBe(false);
    action.click();
    expect(await answer).toBe(true);
    expect(dialog.open).toBe(false);
    expect(document.activeElement).toBe(opener);
  });

  it('resolves false on Cancel and on Escape, and starts empty each time', async () => {
    const { el, opener } = await mount({ confirmText: 'emails' });
    let answer = el.ask();
    await el.updateComplete;
    await type(el, 'emails');
    parts(el).cancel.click();
    expect(await answer).toBe(false);
    expect(document.activeElement).toBe(opener);

    answer = el.ask();
    await el.updateComplete;
    expect(parts(el).input!.value).toBe('');
    expect(parts(el).action.disabled).toBe(true);
    // What a browser does on Escape: a cancelable `cancel` event on the dialog.
    parts(el).dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    expect(await answer).toBe(false);
    expect(parts(el).dialog.open).toBe(false);
  });

  it('needs no typing without confirm-text and submits with Enter', async () => {
    const { el } = await mount({ confirmText: '', danger: false, actionLabel: 'Retry' });
    const answer = el.ask();
    await el.updateComplete;
    const { input, action } = parts(el);
    expect(input).toBeNull();
    expect(action.disabled).toBe(false);
    expect(el.shadowRoot!.activeElement).toBe(action);
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    expect(await answer).toBe(true);
  });

  it('puts the focus on Cancel for a dangerous action without typing', async () => {
    const { el } = await mount({ confirmText: '' });
    const answer = el.ask();
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).toBe(parts(el).cancel);
    el.cancel();
    expect(await answer).toBe(false);
  });

  it('is accessible when open', async () => {
    const { el } = await mount({ confirmText: 'emails' });
    const answer = el.ask();
    await el.updateComplete;
    await expectAccessible(el);
    el.cancel();
    await answer;
  });
});
