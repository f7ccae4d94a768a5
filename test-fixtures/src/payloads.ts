/**
 * Job payloads shared by the tests and benchmarks of every package: a few
 * realistic ones, and hostile ones that a dashboard must store, list, search,
 * render and redact without breaking (or executing anything).
 */

/**
 * One named payload case.
 *
 * @example
 * ```ts
 * for (const { name, data, roundTrips } of hostilePayloads) {
 *   const job = queue.add(name, data);
 *   if (roundTrips) expect(queue.getJob(job.id)?.data).toEqual(data);
 * }
 * ```
 */
export interface PayloadCase {
  /** Stable name, also the key in {@link payloads}. */
  name: string;
  /** What the case exercises. */
  description: string;
  data: unknown;
  /**
   * True when `JSON.parse(JSON.stringify(data))` deep-equals `data`: what a
   * backend that stores JSON returns. False for values JSON changes (`NaN`,
   * `Infinity`, `-0`, `undefined`).
   */
  roundTrips: boolean;
}

/**
 * The text at the very end of the `huge-string` payload (about 1.5 MB), for
 * tests that search all the way through it.
 *
 * @example
 * ```ts
 * const page = await backend.searchJobs(queue, {
 *   state: 'waiting', text: HUGE_STRING_MARKER, fields: ['data'], order: 'newest', limit: 10, scanLimit: 100,
 * });
 * ```
 */
export const HUGE_STRING_MARKER = 'END-OF-HUGE-PAYLOAD';

const HUGE_STRING =
  'lorem ipsum dolor sit amet '.repeat(Math.ceil(1_572_864 / 27)).slice(0, 1_572_864) +
  HUGE_STRING_MARKER;

function deeplyNested(levels: number): unknown {
  let node: Record<string, unknown> = { level: levels, leaf: true };
  for (let level = levels - 1; level >= 1; level--) node = { level, child: node };
  return node;
}

/**
 * Realistic payloads of the kinds of jobs a dashboard usually shows.
 *
 * @example
 * ```ts
 * queue.add(realisticPayloads[0].name, realisticPayloads[0].data);
 * ```
 */
export const realisticPayloads: readonly PayloadCase[] = [
  {
    name: 'email',
    description: 'A transactional email',
    roundTrips: true,
    data: {
      to: 'ada.lovelace@example.com',
      cc: [],
      template: 'order-confirmation',
      locale: 'en-GB',
      variables: { firstName: 'Ada', orderId: 'ORD-10293', total: '£42.10' },
    },
  },
  {
    name: 'order',
    description: 'An order to fulfil, with line items and money as integer cents',
    roundTrips: true,
    data: {
      orderId: 'ORD-10293',
      customerId: 'cus_8f2k1',
      currency: 'EUR',
      totalCents: 12_950,
      items: [
        { sku: 'TSHIRT-M-BLK', quantity: 2, unitCents: 2_500 },
        { sku: 'MUG-WHT', quantity: 1, unitCents: 7_950 },
      ],
      shipping: { method: 'express', address: { city: 'Lyon', country: 'FR', postcode: '69002' } },
      placedAt: '2024-05-01T09:30:00.000Z',
    },
  },
  {
    name: 'image-resize',
    description: 'An image to resize into several renditions',
    roundTrips: true,
    data: {
      source: 's3://uploads/2024/05/01/IMG_4821.jpg',
      renditions: [
        { width: 320, format: 'webp', quality: 80 },
        { width: 1280, format: 'avif', quality: 60 },
      ],
      stripExif: true,
    },
  },
  {
    name: 'webhook',
    description: 'An outgoing webhook delivery with headers and a signed body',
    roundTrips: true,
    data: {
      url: 'https://hooks.example.com/orders?tenant=42',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'sha256=9f86d081884c7d65' },
      body: { event: 'order.paid', id: 'evt_123', attempt: 1 },
      timeoutMs: 10_000,
    },
  },
];

/**
 * Payloads that try to break storage, lists, search, rendering and
 * redaction: huge, deep, exotic text, markup and script, prototype-named
 * keys, numbers at the edges.
 *
 * @example
 * ```ts
 * import { hostilePayloads } from '@qadmin/test-fixtures';
 * const html = hostilePayloads.find((p) => p.name === 'html-injection');
 * ```
 */
export const hostilePayloads: readonly PayloadCase[] = [
  {
    name: 'huge-string',
    description: `A single string of about 1.5 MB ending with ${HUGE_STRING_MARKER}`,
    roundTrips: true,
    data: { blob: HUGE_STRING },
  },
  {
    name: 'huge-array',
    description: 'An array of 10,000 small objects',
    roundTrips: true,
    data: {
      items: Array.from({ length: 10_000 }, (_, i) => ({ i, sku: `SKU-${i}`, qty: i % 7 })),
    },
  },
  {
    name: 'deeply-nested',
    description: 'Objects nested 200 levels deep',
    roundTrips: true,
    data: deeplyNested(200),
  },
  {
    name: 'unicode',
    description:
      'Emoji sequences, RTL scripts, combining marks, astral planes, invisible characters',
    roundTrips: true,
    data: {
      emoji: '👩‍👩‍👧‍👦 🏳️‍🌈 🎉 🚀 👍🏽',
      rtl: 'مرحبا بالعالم — שלום עולם',
      combining: 'Z̴̡̢a̵l̷g̶o̸ and e\u0301 (decomposed é)',
      astral: '𝕳𝖊𝖑𝖑𝖔 𓀀 𠜎 🀄',
      cjk: '日本語のテキストと한국어',
      invisible: 'a\u200Bb\u200Dc\uFEFFd\u00ADe',
      bidiOverride: 'invoice\u202Efdp.exe\u202C',
      controls: 'tab\tnew\nline\rreturn\u0000nul\u0007bell',
      separators: 'line\u2028paragraph\u2029end',
      loneSurrogate: 'broken \uD83D pair',
      'clé-ünïcødé-🔑': 'unicode key',
    },
  },
  {
    name: 'html-injection',
    description: 'Markup and script that must be shown as text, never run',
    roundTrips: true,
    data: {
      script: '<script>alert(1)</script>',
      attribute: '"><img src=x onerror=alert(1)>',
      styleBreak: '</style><script>alert(1)</script>',
      svg: '<svg/onload=alert(1)>',
      jsUrl: 'javascript:alert(1)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax as plain text is the point
      templates: '${7*7} {{7*7}} #{7*7} <%= 7*7 %>',
      sql: "'; DROP TABLE jobs; --",
      '<b onmouseover=alert(1)>key</b>': 'markup in a key',
    },
  },
  {
    name: 'special-keys',
    description: '__proto__, constructor and Object.prototype names as plain own keys',
    roundTrips: true,
    // JSON.parse makes `__proto__` an own property instead of setting the prototype.
    data: JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
        '"prototype":{"polluted":"yes"},"toString":"not a function","hasOwnProperty":"nope",' +
        '"valueOf":1,"":"empty key","a.b":"dotted","a[0]":"bracketed"}',
    ),
  },
  {
    name: 'number-edges',
    description: 'Numbers at the edges of what JSON and doubles carry',
    roundTrips: true,
    data: {
      maxSafe: Number.MAX_SAFE_INTEGER,
      minSafe: Number.MIN_SAFE_INTEGER,
      beyondSafe: 2 ** 53 + 2,
      maxValue: Number.MAX_VALUE,
      minValue: Number.MIN_VALUE,
      epsilon: Number.EPSILON,
      float: 0.1 + 0.2,
      tiny: 1e-300,
      huge: 1e300,
      negative: -123.456,
      zero: 0,
    },
  },
  {
    name: 'non-json-values',
    description:
      'Values JSON cannot keep: NaN and the infinities become null, -0 becomes 0, undefined goes',
    roundTrips: false,
    data: {
      nan: Number.NaN,
      infinity: Number.POSITIVE_INFINITY,
      minusInfinity: Number.NEGATIVE_INFINITY,
      minusZero: -0,
      missing: undefined,
      list: [undefined, 1],
    },
  },
];

/**
 * Every payload case by name (`email`, `order`, `huge-string`,
 * `special-keys`, ...).
 *
 * @example
 * ```ts
 * import { payloads } from '@qadmin/test-fixtures';
 * queue.add('send', payloads.email);
 * queue.add('evil', payloads['html-injection']);
 * ```
 */
export const payloads: Record<string, unknown> = Object.fromEntries(
  [...realisticPayloads, ...hostilePayloads].map((p) => [p.name, p.data]),
);
