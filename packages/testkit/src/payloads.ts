/**
 * Job data that breaks naive storage, serialization and rendering: markup and
 * script that must stay text, quotes and backslashes, line and paragraph
 * separators (invalid inside JS string literals before ES2019), right-to-left
 * overrides, combining marks, astral-plane emoji with joiners, keys that look
 * like prototype members or paths, extreme numbers and deep nesting. Every
 * value survives `JSON.stringify`/`JSON.parse` unchanged, so any backend that
 * stores JSON must give it back deep-equal.
 *
 * Built with `JSON.parse` so that `__proto__` is an own key, as it is in data
 * that arrives over the wire.
 *
 * @example
 * ```ts
 * import { hostileObject } from '@qadmin/testkit';
 * const job = await backend.addJob!('emails', { name: 'hostile', data: hostileObject });
 * expect(job.data).toEqual(hostileObject);
 * ```
 */
export const hostileObject: Readonly<Record<string, unknown>> = JSON.parse(
  `{"__proto__":{"polluted":true},${JSON.stringify({
    html: '<script>alert("x")</script><img src=x onerror="alert(1)">&amp;&lt;&#0;',
    closers: '</script></style>]]>--><!--',
    quotes: `'single' "double" \`back\` \\backslash\\ \\u0041 \\n`,
    whitespace: 'tab\tnewline\ncarriage\rline\u2028paragraph\u2029end',
    unicode: 'Zürich — 東京 — Москва — مرحبا — 👩‍👩‍👧‍👦 — e\u0301 — \u202Eevil\u202C — 𝔘𝔫𝔦',
    emptyString: '',
    numbers: [0, -1, 1.5, -0.000001, 1e21, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    booleans: [true, false],
    nothing: null,
    emptyObject: {},
    emptyArray: [],
    'key.with.dots': 1,
    'key with spaces': 2,
    'key/with/slashes': 3,
    $where: 'sleep(1000)',
    "'; DROP TABLE jobs; --": 'sql',
    '%_': 'like wildcards',
    constructor: 'not a function',
    toString: 'not a function either',
    nested: nest(24),
  }).slice(1)}`,
);

function nest(depth: number): unknown {
  let node: unknown = { leaf: '🌿', depth };
  for (let level = depth - 1; level >= 0; level--) {
    node = { level, items: [level, `level-${level}`], child: node };
  }
  return node;
}

/**
 * A string of 200 KiB (204,800 UTF-16 code units) mixing ASCII, markup,
 * multi-byte and astral-plane characters: big enough to find size limits,
 * truncation and per-character slowness, small enough for every real store.
 *
 * @example
 * ```ts
 * import { largeString } from '@qadmin/testkit';
 * await backend.jobAction!('emails', id, { type: 'update-data', data: largeString });
 * ```
 */
export const largeString: string = buildLargeString(200 * 1024);

function buildLargeString(length: number): string {
  // 16 code units: ASCII, markup, 2-byte, 3-byte and a surrogate pair.
  const unit = 'abc<b>é€日本😀\\"\n';
  let text = unit.repeat(Math.ceil(length / unit.length));
  text = text.slice(0, length);
  // Never end on half a surrogate pair: JSON stores it, some databases refuse it.
  if (/[\uD800-\uDBFF]$/.test(text)) text = `${text.slice(0, -1)}.`;
  return text;
}

/**
 * One named payload of {@link hostilePayloads}.
 *
 * @example
 * ```ts
 * const payload: HostilePayload = { label: 'empty string', data: '' };
 * ```
 */
export interface HostilePayload {
  /** What the payload tests, used in test names. */
  label: string;
  /** The job data. */
  data: unknown;
}

/**
 * The payloads the backend contract round-trips through seeding, `addJob`,
 * `update-data` and `duplicate`: the {@link hostileObject}, the
 * {@link largeString}, and JSON values that are not objects.
 *
 * @example
 * ```ts
 * import { hostilePayloads } from '@qadmin/testkit';
 * for (const { label, data } of hostilePayloads) {
 *   const job = await backend.addJob!('emails', { name: label, data });
 *   expect((await backend.getJob('emails', job.id))?.data).toEqual(data);
 * }
 * ```
 */
export const hostilePayloads: readonly HostilePayload[] = [
  { label: 'unicode, HTML and nested object', data: hostileObject },
  { label: '200 KiB string', data: largeString },
  { label: 'array of mixed values', data: [1, 'two', { three: [3] }, null, false] },
  { label: 'empty string', data: '' },
  { label: 'number', data: 42.5 },
  { label: 'null', data: null },
];
