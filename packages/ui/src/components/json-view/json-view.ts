import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { QadminElement } from '../../shared/element';
import { formatNumber } from '../../shared/format';
import { styleProps } from '../../shared/style-props';
import { tokens } from '../../shared/styles';
import { jsonViewStyles } from './json-view.styles';

/** Strings longer than this are cut, with a "show all" toggle. */
export const STRING_LIMIT = 2_000;
/** Entries of an object or array shown at once; "show more" adds as many again. */
export const PAGE_SIZE = 100;
/** The most rows "expand all" opens; beyond it nodes are expanded one by one. */
export const EXPAND_ALL_ROWS = 2_000;

type Kind = 'object' | 'array' | 'leaf';

/** Keys of the objects shown, so a 50,000-key object is listed once, not on every render. */
const keyCache = new WeakMap<object, string[]>();

function kindOf(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return 'object';
  return 'leaf';
}

function keysOf(value: object): string[] {
  let keys = keyCache.get(value);
  if (!keys) {
    keys = Object.keys(value);
    keyCache.set(value, keys);
  }
  return keys;
}

function sizeOf(value: unknown, kind: Kind): number {
  if (kind === 'array') return (value as unknown[]).length;
  if (kind === 'object') return keysOf(value as object).length;
  return 0;
}

/** The key of the child `segment` of the node `parent`: length-prefixed, so no key can forge another path. */
function childKey(parent: string, segment: string): string {
  return `${parent}/${segment.length}:${segment}`;
}

/** The JSON escape of a string without its quotes: control characters become visible (`\n`, `\u0007`). */
function escapeString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Shows a key bare when that is unambiguous, quoted and escaped otherwise (`""`, `"a\nb"`). */
function keyText(key: string): string {
  const shown = key.length > 200 ? `${key.slice(0, 200)}…` : key;
  return key !== '' && !/["\\\p{Cc}\s]/u.test(key) ? shown : JSON.stringify(shown);
}

/** The first `limit` UTF-16 units of `text`, without splitting a surrogate pair. */
function cut(text: string, limit: number): string {
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

/** The UTF-8 size of `text`, counted without allocating a copy. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function plural(count: number, one: string, many: string): string {
  return `${formatNumber(count)} ${count === 1 ? one : many}`;
}

/**
 * A collapsible, keyboard-operable tree of a JSON value (job data, return
 * values, options), built for large payloads: only expanded nodes render
 * their children, objects and arrays show their entries 100 at a time, long
 * strings are cut at 2,000 characters with a "show all" toggle each, and the
 * value is never serialized to render it (only to copy it). "Expand all"
 * stops at a bounded number of rows.
 *
 * Keyboard (WAI-ARIA tree): ↑/↓ move, → expands or enters, ← collapses or
 * goes to the parent, Home/End, Enter or Space toggle a node, show more
 * entries, or show a whole string.
 *
 * @summary A collapsible JSON tree for large values.
 * @csspart toolbar - The expand/collapse/copy buttons.
 * @csspart tree - The tree itself.
 * @cssproperty --qadmin-font-mono - Font of the tree.
 * @cssproperty --qadmin-color-ok - Colour of strings.
 * @cssproperty --qadmin-color-info - Colour of numbers.
 */
export class QadminJsonView extends QadminElement {
  static override styles = [tokens, jsonViewStyles];
  static override properties: PropertyDeclarations = {
    value: { attribute: false },
    label: {},
    expandDepth: { attribute: 'expand-depth', type: Number },
    message: { state: true },
  };

  /** The value to show (anything `JSON.parse` returns; dates show as ISO strings). */
  declare value: unknown;
  /** The accessible name of the tree ("Job data"). */
  declare label: string;
  /** How many levels are open at first: 1 shows the top-level entries with their children closed. */
  declare expandDepth: number;
  declare message: string;

  /** Explicit open/closed state by node key; nodes without one follow `#openDepth`. */
  #open = new Map<string, boolean>();
  /** How many entries of a container are shown, by node key. */
  #shown = new Map<string, number>();
  /** Long strings shown whole, by node key. */
  #whole = new Set<string>();
  #openDepth = 1;
  /** The node that holds the tree's single tab stop. */
  #focusKey = '';

  constructor() {
    super();
    this.value = undefined;
    this.label = 'JSON value';
    this.expandDepth = 1;
    this.message = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('expandDepth')) {
      this.#openDepth = this.expandDepth;
      this.#open.clear();
    }
    if (changed.has('value')) this.message = '';
  }

  protected override updated(): void {
    this.#syncTabStop();
  }

  #isOpen(key: string, level: number): boolean {
    return this.#open.get(key) ?? level < this.#openDepth;
  }

  #shownOf(key: string, size: number): number {
    return Math.min(size, this.#shown.get(key) ?? PAGE_SIZE);
  }

  // ------------------------------------------------------------ commands

  /** Opens nodes breadth-first until {@link EXPAND_ALL_ROWS} rows are shown. */
  expandAll(): void {
    this.#open.clear();
    this.#openDepth = 0;
    const root = this.value;
    const rootKind = kindOf(root);
    let rows = this.#shownOf('', sizeOf(root, rootKind));
    let complete = true;
    const queue: [unknown, Kind, string][] = [[root, rootKind, '']];
    for (let head = 0; head < queue.length; head++) {
      const [value, kind, key] = queue[head]!;
      this.#eachShown(value, kind, key, (child, segment) => {
        const childKind = kindOf(child);
        const size = sizeOf(child, childKind);
        if (childKind === 'leaf' || size === 0) return;
        const ck = childKey(key, segment);
        const more = this.#shownOf(ck, size);
        if (rows + more > EXPAND_ALL_ROWS) {
          complete = false;
          return;
        }
        rows += more;
        this.#open.set(ck, true);
        queue.push([child, childKind, ck]);
      });
    }
    this.message = complete
      ? ''
      : `Expanded ${formatNumber(rows)} rows; the rest is too large to open at once, expand nodes one by one.`;
    this.requestUpdate();
  }

  /** Closes every node. */
  collapseAll(): void {
    this.#open.clear();
    this.#openDepth = 0;
    this.message = '';
    this.requestUpdate();
  }

  #eachShown(
    value: unknown,
    kind: Kind,
    key: string,
    visit: (child: unknown, segment: string, index: number) => void,
  ): void {
    if (kind === 'leaf') return;
    const shown = this.#shownOf(key, sizeOf(value, kind));
    if (kind === 'array') {
      const array = value as unknown[];
      for (let i = 0; i < shown; i++) visit(array[i], String(i), i);
    } else {
      const keys = keysOf(value as object);
      const record = value as Record<string, unknown>;
      for (let i = 0; i < shown; i++) visit(record[keys[i]!], keys[i]!, i);
    }
  }

  async #copy(): Promise<void> {
    let text: string;
    try {
      text = JSON.stringify(this.value, null, 2) ?? String(this.value);
    } catch (error) {
      this.message = `Cannot copy: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (!navigator.clipboard?.writeText) {
      this.message =
        'Copying needs clipboard access (HTTPS or localhost); select the value and copy it by hand.';
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      this.message = `Copied ${formatBytes(utf8Bytes(text))} of JSON.`;
    } catch (error) {
      this.message = `Copy failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  // ------------------------------------------------------------ keyboard and focus

  get #tree(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[role=tree]');
  }

  #items(): HTMLElement[] {
    return [...(this.#tree?.querySelectorAll<HTMLElement>('[role=treeitem]') ?? [])];
  }

  /** Exactly one item is in the tab order: the last focused one, else the first. */
  #syncTabStop(): void {
    const items = this.#items();
    const target = items.find((item) => item.dataset.key === this.#focusKey) ?? items[0];
    for (const item of items) {
      if (item !== target && item.tabIndex === 0) item.tabIndex = -1;
    }
    if (target) target.tabIndex = 0;
  }

  async #focus(key: string): Promise<void> {
    this.#focusKey = key;
    await this.updateComplete;
    this.#syncTabStop();
    this.#items()
      .find((item) => item.dataset.key === key)
      ?.focus();
  }

  #onFocusIn = (event: FocusEvent) => {
    const item = (event.target as Element).closest<HTMLElement>('[role=treeitem]');
    if (!item || item.dataset.key === undefined) return;
    this.#focusKey = item.dataset.key;
    this.#syncTabStop();
  };

  #toggle(item: HTMLElement, open?: boolean): void {
    const key = item.dataset.key!;
    const isOpen = item.getAttribute('aria-expanded') === 'true';
    const next = open ?? !isOpen;
    if (next === isOpen) return;
    this.#open.set(key, next);
    this.requestUpdate();
  }

  /** What Enter, Space or a click does on an item: toggle, show more, or show a whole string. */
  #activate(item: HTMLElement): void {
    const key = item.dataset.key!;
    switch (item.dataset.kind) {
      case 'container':
        this.#toggle(item);
        break;
      case 'more': {
        const parent = item.dataset.parent!;
        const shown = Number(item.dataset.shown);
        this.#shown.set(parent, shown + PAGE_SIZE);
        this.requestUpdate();
        if (this.shadowRoot?.activeElement === item)
          void this.#focus(childKey(parent, item.dataset.next!));
        break;
      }
      case 'long':
        if (this.#whole.has(key)) this.#whole.delete(key);
        else this.#whole.add(key);
        this.requestUpdate();
        break;
    }
  }

  #onKeyDown = (event: KeyboardEvent) => {
    const item = (event.target as Element).closest<HTMLElement>('[role=treeitem]');
    if (!item) return;
    const items = this.#items();
    const index = items.indexOf(item);
    const move = (to: number) => {
      const next = items[Math.max(0, Math.min(items.length - 1, to))];
      if (next) void this.#focus(next.dataset.key!);
    };
    const expanded = item.getAttribute('aria-expanded');
    switch (event.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case 'ArrowRight':
        if (expanded === 'false') this.#toggle(item, true);
        else if (expanded === 'true') move(index + 1);
        break;
      case 'ArrowLeft':
        if (expanded === 'true') this.#toggle(item, false);
        else if (item.dataset.parent) void this.#focus(item.dataset.parent);
        break;
      case 'Enter':
      case ' ':
        if (event.target !== item) return;
        this.#activate(item);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  #onClick = (event: MouseEvent) => {
    const target = event.target as Element;
    const item = target.closest<HTMLElement>('[role=treeitem]');
    if (!item) return;
    if (target.closest('button') || (item.dataset.kind === 'container' && target.closest('.row'))) {
      this.#activate(item);
    }
  };

  // ------------------------------------------------------------ rendering

  #leaf(value: unknown, key: string): TemplateResult {
    switch (typeof value) {
      case 'string': {
        if (value.length <= STRING_LIMIT) {
          return html`<span class="string">"${escapeString(value)}"</span>`;
        }
        const whole = this.#whole.has(key);
        return html`<span class="string">"${escapeString(whole ? value : cut(value, STRING_LIMIT))}${whole ? '' : '…'}"</span>
          <button type="button" class="link" tabindex="-1">
            ${whole ? 'show less' : `show all (${formatBytes(utf8Bytes(value))})`}
          </button>`;
      }
      case 'number':
        return html`<span class="number">${String(value)}</span>`;
      case 'bigint':
        return html`<span class="number">${String(value)}n</span>`;
      case 'boolean':
        return html`<span class="literal">${String(value)}</span>`;
      case 'undefined':
        return html`<span class="literal">undefined</span>`;
      default:
        if (value === null) return html`<span class="literal">null</span>`;
        if (value instanceof Date) {
          return html`<span class="string">${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}</span>`;
        }
        if (Array.isArray(value)) return html`<span class="punct">[]</span>`;
        if (typeof value === 'object') return html`<span class="punct">{}</span>`;
        return html`<span class="literal">${String(value)}</span>`;
    }
  }

  #summary(value: unknown, kind: Kind, size: number, open: boolean): TemplateResult {
    const count = html`<span class="count">${kind === 'array' ? plural(size, 'item', 'items') : plural(size, 'key', 'keys')}</span>`;
    if (open) return count;
    if (kind === 'array') return html`<span class="punct">[…]</span> ${count}`;
    const keys = keysOf(value as object);
    const preview =
      keys
        .slice(0, 3)
        .map((key) => keyText(key.length > 24 ? `${key.slice(0, 24)}…` : key))
        .join(', ') + (size > 3 ? ', …' : '');
    return html`<span class="punct">{</span><span class="preview">${preview}</span><span class="punct">}</span> ${count}`;
  }

  /** Appends the rows of a node (and of its shown descendants when open): the tree is flat in the DOM. */
  #node(
    rows: TemplateResult[],
    name: string | null,
    value: unknown,
    key: string,
    parent: string,
    level: number,
    position: number,
    setSize: number,
  ): void {
    const kind = kindOf(value);
    const size = sizeOf(value, kind);
    const indent = styleProps({ '--level': String(level - 1) });
    const label =
      name === null
        ? nothing
        : html`<span class="key">${keyText(name)}</span><span class="punct">: </span>`;
    if (kind === 'leaf' || size === 0) {
      const long = typeof value === 'string' && value.length > STRING_LIMIT;
      rows.push(html`<div
        role="treeitem"
        class="item"
        style=${indent}
        tabindex="-1"
        aria-level=${level}
        aria-posinset=${position}
        aria-setsize=${setSize}
        data-key=${key}
        data-parent=${parent}
        data-kind=${long ? 'long' : 'leaf'}
      ><div class="row">${label}${this.#leaf(value, key)}</div></div>`);
      return;
    }
    const open = this.#isOpen(key, level);
    rows.push(html`<div
      role="treeitem"
      class="item"
      style=${indent}
      tabindex="-1"
      aria-expanded=${open ? 'true' : 'false'}
      aria-level=${level}
      aria-posinset=${position}
      aria-setsize=${setSize}
      data-key=${key}
      data-parent=${parent}
      data-kind="container"
    ><div class="row"><span class="twisty" aria-hidden="true"></span>${label}${this.#summary(value, kind, size, open)}</div></div>`);
    if (open) this.#entries(rows, value, kind, key, level + 1);
  }

  #entries(rows: TemplateResult[], value: unknown, kind: Kind, key: string, level: number): void {
    const size = sizeOf(value, kind);
    let shown = 0;
    this.#eachShown(value, kind, key, (child, segment, index) => {
      this.#node(rows, segment, child, childKey(key, segment), key, level, index + 1, size);
      shown++;
    });
    if (shown < size) {
      const next = Math.min(PAGE_SIZE, size - shown);
      const nextSegment = kind === 'array' ? String(shown) : keysOf(value as object)[shown]!;
      rows.push(html`<div
        role="treeitem"
        class="item"
        style=${styleProps({ '--level': String(level - 1) })}
        tabindex="-1"
        aria-level=${level}
        data-key="${key}#more"
        data-parent=${key}
        data-kind="more"
        data-shown=${shown}
        data-next=${nextSegment}
      ><div class="row more">
          <button type="button" class="link" tabindex="-1">show ${formatNumber(next)} more</button>
          <span class="count">${formatNumber(shown)} of ${formatNumber(size)} shown</span>
        </div></div>`);
    }
  }

  protected override render(): TemplateResult {
    const value = this.value;
    const kind = kindOf(value);
    const size = sizeOf(value, kind);
    const container = kind !== 'leaf' && size > 0;
    const rows: TemplateResult[] = [];
    if (container) this.#entries(rows, value, kind, '', 1);
    else this.#node(rows, null, value, '', '', 1, 1, 1);
    return html`
      <div class="toolbar" part="toolbar" role="group" aria-label="${this.label}: tools">
        ${
          container
            ? html`<button type="button" @click=${this.expandAll}>Expand all</button>
              <button type="button" @click=${this.collapseAll}>Collapse all</button>`
            : nothing
        }
        <button type="button" @click=${this.#copy}>Copy JSON</button>
        <span class="message" role="status">${this.message}</span>
      </div>
      <div
        role="tree"
        part="tree"
        aria-label=${this.label}
        @keydown=${this.#onKeyDown}
        @click=${this.#onClick}
        @focusin=${this.#onFocusIn}
      >
        ${rows}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-json-view': QadminJsonView;
  }
}
