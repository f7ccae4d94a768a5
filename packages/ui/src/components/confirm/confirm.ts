import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { QadminElement } from '../../shared/element';
import { tokens } from '../../shared/styles';
import { confirmStyles } from './confirm.styles';

/** The element that has the focus, looking inside shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let element: Element | null = document.activeElement;
  while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
  return element instanceof HTMLElement ? element : null;
}

/**
 * A modal confirmation for actions that cannot be undone. `ask()` opens it and
 * resolves `true` only when the user confirms; Escape, Cancel or closing it
 * resolve `false`. With a `confirm-text` (a queue's name), the action button
 * stays disabled until that text is typed. The focus goes to the text field
 * (or the safe button) and returns to where it was afterwards.
 *
 * Extra content (options of the action, such as which state to clean) goes in
 * the default slot, between the message and the text to type.
 *
 * @summary Modal confirmation, optionally asking to type a name.
 * @slot - Options or details shown under the message.
 * @csspart dialog - The `<dialog>`.
 * @csspart actions - The row of buttons.
 * @cssproperty --qadmin-color-danger - Colour of a dangerous action.
 *
 * @example
 * ```ts
 * const confirm = document.createElement('qadmin-confirm');
 * Object.assign(confirm, { heading: 'Empty emails?', confirmText: 'emails', actionLabel: 'Empty', danger: true });
 * if (await confirm.ask()) await client.bulkAction(id, { type: 'empty' });
 * ```
 */
export class QadminConfirm extends QadminElement {
  static override styles = [tokens, confirmStyles];
  static override properties: PropertyDeclarations = {
    heading: {},
    message: {},
    confirmText: { attribute: 'confirm-text' },
    actionLabel: { attribute: 'action-label' },
    danger: { type: Boolean, reflect: true },
    open: { type: Boolean, reflect: true },
    typed: { state: true },
  };

  /** The title of the dialog ("Empty emails?"). */
  declare heading: string;
  /** What the action does, in a sentence or two. */
  declare message: string;
  /** Text the user must type to confirm (a queue name); empty: no typing needed. */
  declare confirmText: string;
  /** Label of the confirming button ("Empty queue"). */
  declare actionLabel: string;
  /** Style the action as dangerous (red) and put the initial focus on Cancel. */
  declare danger: boolean;
  /** Whether the dialog is open (read-only: use `ask()`). */
  declare open: boolean;
  declare typed: string;

  #resolve: ((confirmed: boolean) => void) | undefined;
  #opener: HTMLElement | null = null;

  constructor() {
    super();
    this.heading = 'Are you sure?';
    this.message = '';
    this.confirmText = '';
    this.actionLabel = 'Confirm';
    this.danger = false;
    this.open = false;
    this.typed = '';
  }

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  get #matches(): boolean {
    return !this.confirmText || this.typed.trim() === this.confirmText.trim();
  }

  /** Opens the dialog; resolves `true` when confirmed, `false` otherwise. */
  async ask(): Promise<boolean> {
    this.#settle(false);
    this.#opener = deepActiveElement();
    this.typed = '';
    this.open = true;
    const answer = new Promise<boolean>((resolve) => {
      this.#resolve = resolve;
    });
    await this.updateComplete;
    const dialog = this.#dialog;
    if (dialog && !dialog.open) dialog.showModal();
    const target =
      this.renderRoot.querySelector<HTMLElement>('input') ??
      this.renderRoot.querySelector<HTMLElement>(this.danger ? 'button.cancel' : 'button.action');
    target?.focus();
    return answer;
  }

  /** Closes the dialog as if cancelled. */
  cancel(): void {
    this.#finish(false);
  }

  #settle(confirmed: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.(confirmed);
  }

  #finish(confirmed: boolean): void {
    const wasOpen = this.open;
    this.#settle(confirmed);
    this.open = false;
    const dialog = this.#dialog;
    if (dialog?.open) dialog.close();
    if (wasOpen) {
      const opener = this.#opener;
      this.#opener = null;
      if (opener?.isConnected) opener.focus();
    }
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.#matches) this.#finish(true);
  }

  #onCancel(event: Event): void {
    event.preventDefault();
    this.#finish(false);
  }

  #onClose(): void {
    // A close that did not come from #finish (a stale event after a quick reopen is ignored).
    if (this.open && !this.#dialog?.open) this.#finish(false);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#settle(false);
    this.open = false;
  }

  protected override render(): TemplateResult {
    return html`<dialog
      part="dialog"
      aria-labelledby="heading"
      aria-describedby="message"
      @cancel=${this.#onCancel}
      @close=${this.#onClose}
    >
      <form @submit=${this.#onSubmit} novalidate>
        <h2 id="heading">${this.heading}</h2>
        <p class="message" id="message">${this.message}</p>
        <slot></slot>
        ${
          this.confirmText
            ? html`<div class="type">
              <label for="typed">Type <strong>${this.confirmText}</strong> to confirm</label>
              <input
                id="typed"
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                .value=${live(this.typed)}
                @input=${(event: InputEvent) => {
                  this.typed = (event.target as HTMLInputElement).value;
                }}
              />
            </div>`
            : nothing
        }
        <div class="actions" part="actions">
          <button type="button" class="cancel" @click=${() => this.#finish(false)}>Cancel</button>
          <button
            type="submit"
            class="action primary ${this.danger ? 'danger' : ''}"
            ?disabled=${!this.#matches}
          >
            ${this.actionLabel}
          </button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-confirm': QadminConfirm;
  }
}
