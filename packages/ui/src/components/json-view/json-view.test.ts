import { afterEach, describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { expectAccessible } from '../../test-support/a11y';
import { EXPAND_ALL_ROWS, QadminJsonView } from './json-view';

if (!customElements.get('qadmin-json-view'))
  customElements.define('qadmin-json-view', QadminJsonView);

async function mount(value: unknown, setup: (el: QadminJsonView) => void = () => {}) {
  const el = document.createElement('qadmin-json-view');
  el.value = value;
  el.label = 'Job data';
  setup(el);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const root = (el: QadminJsonView) => el.shadowRoot!;
const items = (el: QadminJsonView) => [
  ...root(el).querySelectorAll<HTMLElement>('[role=treeitem]'),
];
const rowText = (item: HTMLElement) =>
  item.querySelector('.row')!.textContent!.replace(/\s+/g, ' ').trim();
const itemByKey = (el: QadminJsonView, key: string) =>
  items(el).find((item) => item.querySelector(':scope > .row > .key')?.textContent === key)!;
const focused = (el: QadminJsonView) => root(el).activeElement as HTMLElement | null;

describe('qadmin-json-view', () => {
  afterEach(() => {
    document.body.replaceChildren();
    vi.unstubAllGlobals();
  });

  it('shows typed values in an accessible tree', async () => {
    const el = await mount({
      to: 'ada@example.com',
      count: 3,
      ok: true,
      missing: null,
      at: '2026-11-25T12:00:00.000Z',
      nested: { a: 1, b: [1, 2] },
      empty: {},
    });
    const tree = root(el).querySelector('[role=tree]')!;
    expect(tree.getAttribute('aria-label')).toBe('Job data');
    expect(items(el).map(rowText)).toEqual([
      'to: "ada@example.com"',
      'count: 3',
      'ok: true',
      'missing: null',
      'at: "2026-11-25T12:00:00.000Z"',
      'nested: {a, b} 2 keys',
      'empty: {}',
    ]);
    expect(itemByKey(el, 'count').querySelector('.number')).not.toBeNull();
    // Children render only when their node is open.
    const nested = itemByKey(el, 'nested');
    expect(nested.getAttribute('aria-expanded')).toBe('false');
    expect(itemByKey(el, 'a')).toBeUndefined();
    await expectAccessible(el);
  });

  it('moves, expands and collapses with the keyboard', async () => {
    const el = await mount({ first: 1, nested: { a: 1, deep: { x: true } }, last: 'z' });
    // One tab stop: the first item.
    expect(items(el).filter((item) => item.tabIndex === 0)).toHaveLength(1);
    items(el)[0]!.focus();
    await userEvent.keyboard('{ArrowDown}');
    expect(focused(el)).toBe(itemByKey(el, 'nested'));
    await userEvent.keyboard('{ArrowRight}');
    await el.updateComplete;
    const nested = itemByKey(el, 'nested');
    expect(nested.getAttribute('aria-expanded')).toBe('true');
    expect(itemByKey(el, 'a').getAttribute('aria-level')).toBe('2');
    await userEvent.keyboard('{ArrowRight}');
    expect(focused(el)).toBe(itemByKey(el, 'a'));
    await userEvent.keyboard('{ArrowDown}');
    expect(focused(el)).toBe(itemByKey(el, 'deep'));
    await userEvent.keyboard('{Enter}');
    await el.updateComplete;
    expect(itemByKey(el, 'deep').getAttribute('aria-expanded')).toBe('true');
    expect(itemByKey(el, 'x')).toBeDefined();
    await userEvent.keyboard('{ArrowLeft}');
    await el.updateComplete;
    expect(itemByKey(el, 'deep').getAttribute('aria-expanded')).toBe('false');
    // On a closed node, ← goes to the parent; on the open parent, ← closes it.
    await userEvent.keyboard('{ArrowLeft}');
    await vi.waitFor(() => expect(focused(el)).toBe(itemByKey(el, 'nested')));
    await userEvent.keyboard('{ArrowLeft}');
    await el.updateComplete;
    expect(itemByKey(el, 'nested').getAttribute('aria-expanded')).toBe('false');
    await userEvent.keyboard('{End}');
    expect(focused(el)).toBe(itemByKey(el, 'last'));
    await userEvent.keyboard('{Home}');
    expect(focused(el)).toBe(itemByKey(el, 'first'));
    // The tab stop follows the focus.
    expect(items(el).filter((item) => item.tabIndex === 0)).toEqual([itemByKey(el, 'first')]);
    // A click on a row toggles it too.
    (itemByKey(el, 'nested').querySelector('.row') as HTMLElement).click();
    await el.updateComplete;
    expect(itemByKey(el, 'nested').getAttribute('aria-expanded')).toBe('true');
  });

  it('cuts a 300 KB string and shows all of it on demand', async () => {
    const long = `${'a'.repeat(150_000)}\n${'b'.repeat(150_000)}`;
    const el = await mount({ body: long, short: 'ok' });
    const item = itemByKey(el, 'body');
    const string = () => item.querySelector('.string')!.textContent!;
    expect(string().length).toBeLessThan(2_100);
    expect(string()).toMatch(/^"a+…"$/);
    const button = item.querySelector('button')!;
    expect(button.textContent).toMatch(/show all \(293 KB\)/);
    button.click();
    await el.updateComplete;
    // The newline shows escaped, and the whole string is there.
    expect(string()).toBe(`"${'a'.repeat(150_000)}\\n${'b'.repeat(150_000)}"`);
    expect(item.querySelector('button')!.textContent).toMatch(/show less/);
    // Enter on the focused item toggles it back.
    item.focus();
    await userEvent.keyboard('{Enter}');
    await el.updateComplete;
    expect(string().length).toBeLessThan(2_100);
    // The element still answers.
    (itemByKey(el, 'short') as HTMLElement).focus();
    expect(focused(el)).toBe(itemByKey(el, 'short'));
  }, 30_000);

  it('handles a 5 MB object: first entries only, expand all stops at a bound', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) {
      const fields: Record<string, string> = {};
      for (let f = 0; f < 25; f++) fields[`f${f}`] = `value-${i}-${f}`;
      big[`key${i}`] = fields;
    }
    const el = await mount(big);
    expect(items(el)).toHaveLength(101);
    expect(rowText(items(el)[100]!)).toMatch(/show 100 more 100 of 20,000 shown/);
    const button = (text: string) =>
      [...root(el).querySelectorAll('button')].find((b) => b.textContent === text)!;
    button('Expand all').click();
    await el.updateComplete;
    const count = items(el).length;
    expect(count).toBeGreaterThan(1_000);
    expect(count).toBeLessThanOrEqual(EXPAND_ALL_ROWS + 1);
    expect(itemByKey(el, 'key0').getAttribute('aria-expanded')).toBe('true');
    expect(itemByKey(el, 'key99').getAttribute('aria-expanded')).toBe('false');
    expect(root(el).querySelector('[role=status]')!.textContent).toMatch(
      /too large to open at once/,
    );
    // Still responsive: collapse all, then open one node.
    button('Collapse all').click();
    await el.updateComplete;
    expect(items(el)).toHaveLength(101);
    (itemByKey(el, 'key7').querySelector('.row') as HTMLElement).click();
    await el.updateComplete;
    expect(rowText(itemByKey(el, 'f3'))).toBe('f3: "value-7-3"');
  }, 60_000);

  it('shows an array of 10,000 items 100 at a time', async () => {
    const el = await mount(Array.from({ length: 10_000 }, (_, i) => i * 2));
    expect(items(el)).toHaveLength(101);
    expect(rowText(items(el)[0]!)).toBe('0: 0');
    const more = items(el)[100]!;
    expect(more.dataset.kind).toBe('more');
    more.querySelector('button')!.click();
    await el.updateComplete;
    expect(items(el)).toHaveLength(201);
    expect(rowText(items(el)[199]!)).toBe('199: 398');
    // With the keyboard: Enter on "show more" loads the next page and focuses its first item.
    items(el)[200]!.focus();
    await userEvent.keyboard('{Enter}');
    await vi.waitFor(() => expect(items(el)).toHaveLength(301));
    await vi.waitFor(() => expect(rowText(focused(el)!)).toBe('200: 400'));
    expect(items(el)[0]!.getAttribute('aria-setsize')).toBe('10000');
  });

  it('renders hostile keys and values as text', async () => {
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": "x", "<script>alert(1)</script>": "<img src=x onerror=alert(1)>", "emoji 🎉": "👩‍💻 ok", "bell": "a\\u0007b\\u0000c\\td", "a\\nb": 1, "": "empty key"}',
    );
    const el = await mount(hostile, (e) => {
      e.expandDepth = 2;
    });
    expect(root(el).querySelector('script, img')).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const texts = items(el).map(rowText);
    expect(texts).toContain('__proto__: 1 key');
    expect(texts).toContain('polluted: true');
    expect(texts).toContain('constructor: "x"');
    expect(texts).toContain('<script>alert(1)</script>: "<img src=x onerror=alert(1)>"');
    expect(texts).toContain('"emoji 🎉": "👩‍💻 ok"');
    expect(texts).toContain('bell: "a\\u0007b\\u0000c\\td"');
    expect(texts).toContain('"a\\nb": 1');
    expect(texts).toContain('"": "empty key"');
    await expectAccessible(el);
  });

  it('shows primitive and empty values', async () => {
    const el = await mount('just a string');
    expect(items(el).map(rowText)).toEqual(['"just a string"']);
    expect([...root(el).querySelectorAll('button')].map((b) => b.textContent)).toEqual([
      'Copy JSON',
    ]);
    el.value = null;
    await el.updateComplete;
    expect(items(el).map(rowText)).toEqual(['null']);
    el.value = [];
    await el.updateComplete;
    expect(items(el).map(rowText)).toEqual(['[]']);
  });

  it('opens as many levels as expand-depth says', async () => {
    const el = await mount({ a: { b: { c: 1 } } }, (e) => e.setAttribute('expand-depth', '2'));
    expect(itemByKey(el, 'a').getAttribute('aria-expanded')).toBe('true');
    expect(itemByKey(el, 'b').getAttribute('aria-expanded')).toBe('false');
  });

  it('copies the JSON, or says how when the clipboard is not available', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const el = await mount({ to: 'ada', n: 1 });
    const copy = [...root(el).querySelectorAll('button')].find(
      (b) => b.textContent === 'Copy JSON',
    )!;
    copy.click();
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=status]')!.textContent).toMatch(/Copied/),
    );
    expect(writeText).toHaveBeenCalledWith('{\n  "to": "ada",\n  "n": 1\n}');

    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    copy.click();
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=status]')!.textContent).toMatch(/copy it by hand/),
    );

    writeText.mockRejectedValueOnce(new Error('Document is not focused.'));
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    copy.click();
    await vi.waitFor(() =>
      expect(root(el).querySelector('[role=status]')!.textContent).toMatch(
        /Copy failed: Document is not focused/,
      ),
    );
  });
});
