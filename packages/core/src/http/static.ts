/**
 * The UI's prebuilt files (or, without them, a small built-in page).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import { z } from 'zod';
import { QadminError } from '../errors';
import { noRoute } from './problem';
import type { Route } from './routes';
import type { QadminRequest, QadminResponse } from './types';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
};

const COMPRESSIBLE =
  /^(text\/|application\/(json|javascript|xml|manifest\+json|wasm)|image\/svg\+xml|font\/(ttf|otf))/;
/** Smaller files gain nothing from compression. */
const MIN_COMPRESS_BYTES = 1024;
/** Larger files are served without being kept in memory. */
const MAX_CACHED_BYTES = 8 * 1024 * 1024;

const CACHE_HTML = 'no-cache';
const CACHE_HASHED = 'public, max-age=31536000, immutable';
const CACHE_OTHER = 'public, max-age=0, must-revalidate';

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Content type of a file name, `application/octet-stream` when unknown.
 *
 * @example
 * ```ts
 * contentTypeOf('assets/app-3f9a1c2b.js'); // 'text/javascript; charset=utf-8'
 * ```
 */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extensionOf(name)] ?? 'application/octet-stream';
}

function looksLikeHash(part: string): boolean {
  if (part.length < 8 || !/^[A-Za-z0-9_-]+$/.test(part)) return false;
  if (/^[0-9a-f]+$/.test(part) || /^[0-9A-Z]+$/.test(part) || /[0-9_]/.test(part)) return true;
  // Mixed case without digits: a base64url hash, unless it reads as CamelCase words.
  return /[a-z]/.test(part) && /[A-Z]/.test(part) && !/^([A-Z][a-z]+)+$/.test(part);
}

/**
 * True when a file name carries a content hash: a `-` or `.` followed by 8 or
 * more hex, base32 or base64url characters before the extension
 * (`app-3f9a1c2b.js`, `chunk-5JNOUDAG.js`, `index-BxQ3f_9a.css`), so it can be
 * cached forever. Plain words (`custom-elements.json`) do not count.
 *
 * @example
 * ```ts
 * isHashedFileName('assets/app-3f9a1c2b.js'); // true
 * isHashedFileName('favicon.ico'); // false
 * ```
 */
export function isHashedFileName(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  const stem = name.slice(0, dot);
  for (let i = 0; i < stem.length; i++) {
    if ((stem[i] === '-' || stem[i] === '.') && looksLikeHash(stem.slice(i + 1))) return true;
  }
  return false;
}

function headerOf(request: QadminRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value.join(',') : value) ?? '';
}

/** The encoding to send: brotli over gzip, honouring `q=0`. */
function negotiateEncoding(acceptEncoding: string): 'br' | 'gzip' | null {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(token.trim(), weight === undefined ? 1 : Number(weight.slice(2)) || 0);
  }
  const accepts = (encoding: string) => (q.get(encoding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return null;
}

function etagMatches(ifNoneMatch: string, etags: readonly string[]): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  // If-None-Match compares weakly: a W/ prefix does not matter.
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => etags.includes(tag));
}

/**
 * Bytes with their validators and compressed forms, computed once: a UI file,
 * or the shared overview snapshot's JSON.
 *
 * @internal
 */
export class Representation {
  readonly etag: string;
  readonly #encoded = new Map<'br' | 'gzip', Promise<Uint8Array | null>>();

  constructor(
    readonly body: Uint8Array,
    readonly contentType: string,
    readonly cacheControl: string,
    readonly version: string,
    /** Brotli effort: the maximum (11) for files compressed once, lower for data that changes. */
    readonly brotliQuality = zlibConstants.BROTLI_MAX_QUALITY,
  ) {
    this.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  }

  get compressible(): boolean {
    const size = this.body.byteLength;
    return (
      size >= MIN_COMPRESS_BYTES && size <= MAX_CACHED_BYTES && COMPRESSIBLE.test(this.contentType)
    );
  }

  /** The compressed bytes, or `null` when compression does not make it smaller. */
  encoded(encoding: 'br' | 'gzip'): Promise<Uint8Array | null> {
    let result = this.#encoded.get(encoding);
    if (!result) {
      const work =
        encoding === 'br'
          ? brotli(this.body, {
              params: {
                [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
                [zlibConstants.BROTLI_PARAM_QUALITY]: this.brotliQuality,
                [zlibConstants.BROTLI_PARAM_SIZE_HINT]: this.body.byteLength,
              },
            })
          : gzipAsync(this.body, { level: 9 });
      result = work.then(
        (bytes) => (bytes.byteLength < this.body.byteLength ? new Uint8Array(bytes) : null),
        () => null,
      );
      this.#encoded.set(encoding, result);
    }
    return result;
  }

  async respond(request: QadminRequest): Promise<QadminResponse> {
    const encoding = this.compressible
      ? negotiateEncoding(headerOf(request, 'accept-encoding'))
      : null;
    const encoded = encoding ? await this.encoded(encoding) : null;
    const etag = encoded ? `${this.etag.slice(0, -1)}-${encoding}"` : this.etag;
    const headers: Record<string, string> = {
      'content-type': this.contentType,
      'cache-control': this.cacheControl,
      etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    const ifNoneMatch = headerOf(request, 'if-none-match');
    if (
      ifNoneMatch &&
      etagMatches(ifNoneMatch, [
        this.etag,
        `${this.etag.slice(0, -1)}-br"`,
        `${this.etag.slice(0, -1)}-gzip"`,
      ])
    ) {
      return { status: 304, headers, body: null };
    }
    if (encoded && encoding) headers['content-encoding'] = encoding;
    const body = encoded ?? this.body;
    headers['content-length'] = String(body.byteLength);
    return { status: 200, headers, body };
  }
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const urlSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine(
    (url) => !/^\s*[a-z][a-z0-9+.-]*:/i.test(url) || /^(https?:|data:image\/)/i.test(url),
    'must be a path, an http(s) URL or a data:image/ URL',
  );

/**
 * Branding of the served dashboard: what the UI shows in its bar and tab.
 * Checked once by `createAdmin`, which names the offending field.
 *
 * @example
 * ```ts
 * const branding: UiBranding = brandingSchema.parse({ logoUrl: '/static/logo.svg', accentColor: '#b14e23', theme: 'dark' });
 * ```
 */
export const brandingSchema = z
  .object({
    /** Image shown before the title (a path, an http(s) URL or a data:image/ URL). */
    logoUrl: urlSchema.optional(),
    /** The tab's icon, same forms as `logoUrl`. */
    faviconUrl: urlSchema.optional(),
    /** Any CSS colour (`#b14e23`, `rgb(...)`, `oklch(...)`, a name): links, selection, buttons. */
    accentColor: z
      .string()
      .max(64)
      .regex(
        /^[#a-z0-9(),.%\s/+-]+$/i,
        'must be a CSS colour such as #b14e23 or oklch(60% 0.15 40)',
      )
      .optional(),
    /** The theme before a user picks one: follow the system (default), or force light or dark. */
    theme: z.enum(['light', 'dark', 'system']).optional(),
  })
  .strict();

/** Branding of the served dashboard: see {@link brandingSchema}. */
export type UiBranding = z.infer<typeof brandingSchema>;

/**
 * The settings the server hands the UI in `<meta name="qadmin-config">`
 * (`@qadmin/ui` reads this shape).
 *
 * @example
 * ```ts
 * const config: UiConfig = { basePath: '/admin/queues', apiBase: '/admin/queues/api', title: 'Queues', readOnly: false, accentColor: '#b14e23' };
 * ```
 */
export interface UiConfig extends UiBranding {
  /** Where the dashboard is mounted, without a trailing slash (`''` at the root). */
  basePath: string;
  /** Where its JSON API is. */
  apiBase: string;
  /** The dashboard's name. */
  title: string;
  /** Whether every mutation is refused (the UI hides the actions). */
  readOnly: boolean;
}

/**
 * The UI's `index.html` with `<base href>` and the `qadmin-config` meta tag
 * the UI reads its settings from (never an inline script, so a strict CSP
 * applies), replacing any that are there, and the title.
 *
 * @example
 * ```ts
 * injectUiConfig('<html><head><title>x</title></head></html>', { basePath: '/admin', title: 'Queues', readOnly: false });
 * ```
 */
export function injectUiConfig(
  html: string,
  config: { basePath: string; title: string; readOnly: boolean; branding?: UiBranding },
): string {
  const settings: UiConfig = {
    basePath: config.basePath,
    apiBase: `${config.basePath}/api`,
    title: config.title,
    readOnly: config.readOnly,
    ...config.branding,
  };
  const tags =
    `<base href="${escapeHtml(config.basePath)}/">` +
    `<meta name="qadmin-config" content="${escapeHtml(JSON.stringify(settings))}">`;
  let out = html
    .replace(/<base\b[^>]*>/gi, '')
    .replace(/<meta\b[^>]*\bname\s*=\s*["']?qadmin-config\b[^>]*>/gi, '')
    .replace(/<title>[\s\S]*?<\/title>/i, `<title>${escapeHtml(config.title)}</title>`);
  const head = /<head\b[^>]*>/i.exec(out);
  if (head) {
    const at = head.index + head[0].length;
    out = out.slice(0, at) + tags + out.slice(at);
  } else {
    const doctype = /^\s*<!doctype[^>]*>/i.exec(out);
    const at = doctype ? doctype[0].length : 0;
    out = `${out.slice(0, at)}<head>${tags}</head>${out.slice(at)}`;
  }
  return out;
}

function builtinPage(title: string, routes: readonly Route[], uiDisabled: boolean): string {
  const items = routes
    .map((route) => {
      const path = route.path.slice(1);
      const label = `<code>${route.method} ${escapeHtml(path)}</code>`;
      const linkable = route.method === 'GET' && !path.includes('{');
      return `<li>${linkable ? `<a href="${escapeHtml(path)}">${label}</a>` : label} — ${escapeHtml(route.summary)}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>qadmin, the operations dashboard for Node.js job queues, is running here. ${
    uiDisabled
      ? 'The web UI is turned off on this server'
      : 'The web UI is not installed (<code>npm install @qadmin/ui</code> in the app that serves this page brings it)'
  };
the JSON API below is served. Its description is the
<a href="api/openapi.json">OpenAPI 3.1 document</a>.</p>
<h2>Routes</h2>
<ul>
${items}
</ul>
</main>
</body>
</html>
`;
}

/** Options of {@link createStaticHandler}. */
export interface StaticOptions {
  /** Directory of the UI's prebuilt files; without it a built-in page is served. */
  uiDir?: string | undefined;
  /** The UI was turned off on purpose (`uiDir: false`), not missing: the built-in page says so. */
  uiDisabled?: boolean;
  title: string;
  readOnly: boolean;
  /** Branding handed to the UI (already checked). */
  branding?: UiBranding | undefined;
  /** Listed by the built-in page. */
  routes: readonly Route[];
}

/**
 * The prebuilt dashboard of the installed `@qadmin/ui` (its `dist/app`), or
 * `undefined` when it is not installed. Looked up from core's own location
 * (core names it as an optional peer and every adapter depends on it, so a
 * hoisting package manager puts it in reach), then from the program's main
 * script and the working directory (an app that installed it itself, which
 * pnpm's strict layout needs).
 *
 * @example
 * ```ts
 * const uiDir = findInstalledUi(); // '/app/node_modules/@qadmin/ui/dist/app'
 * ```
 */
export function findInstalledUi(): string | undefined {
  const main = process.argv[1];
  const candidates = [
    import.meta.url,
    ...(main ? [main] : []),
    join(process.cwd(), 'package.json'),
  ];
  for (const from of candidates) {
    try {
      const manifest = createRequire(from).resolve('@qadmin/ui/package.json');
      const dir = join(dirname(manifest), 'dist', 'app');
      if (existsSync(join(dir, 'index.html'))) return dir;
    } catch {
      // Not installed where `from` can see it.
    }
  }
  return undefined;
}

/**
 * The handler of every GET/HEAD path outside the API: files of `uiDir` with
 * caching headers, ETags and compression; `index.html` with the UI config;
 * deep links (HTML requests for paths without the extension of a file type
 * the UI ships, since ids may hold dots) answered with `index.html`;
 * `/favicon.ico` 204 when there is none. Paths that leave `uiDir`, name
 * dotfiles or fail to decode are 404.
 *
 * @example
 * ```ts
 * const serveStatic = createStaticHandler({ uiDir: './ui/dist', title: 'Queues', readOnly: false, routes: apiRoutes });
 * const response = await serveStatic(request);
 * ```
 */
export function createStaticHandler(
  options: StaticOptions,
): (request: QadminRequest) => Promise<QadminResponse> {
  const root = options.uiDir === undefined ? undefined : resolve(options.uiDir);
  const files = new Map<string, Representation>();
  const indexes = new Map<string, Representation>();
  let builtin: Representation | undefined;

  const notFound = (request: QadminRequest) => {
    throw noRoute(request.method, request.path);
  };

  // A queue or job id may hold a dot (`emails.v2`, `order.17`): only a file
  // type the UI ships makes a page request a missing file rather than a view.
  const isDeepLink = (request: QadminRequest) => {
    if (!headerOf(request, 'accept').includes('text/html')) return false;
    const extension = extensionOf(request.path.slice(request.path.lastIndexOf('/') + 1));
    return extension === '' || !Object.hasOwn(CONTENT_TYPES, extension);
  };

  /** The decoded path below `root`, or `null` when it is not a safe one. */
  const safeRelative = (path: string): string | null => {
    const parts: string[] = [];
    for (const raw of path.split('/')) {
      if (raw === '') continue;
      let part: string;
      try {
        part = decodeURIComponent(raw);
      } catch {
        return null;
      }
      if (part.startsWith('.') || /[/\\\0]/.test(part)) return null;
      parts.push(part);
    }
    return parts.join('/');
  };

  const load = async (file: string, relative: string) => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const version = `${info.mtimeMs}:${info.size}`;
    const cached = files.get(file);
    if (cached?.version === version) return cached;
    const body = new Uint8Array(await readFile(file));
    const representation = new Representation(
      body,
      contentTypeOf(relative),
      isHashedFileName(relative) ? CACHE_HASHED : CACHE_OTHER,
      version,
    );
    if (body.byteLength <= MAX_CACHED_BYTES) files.set(file, representation);
    return representation;
  };

  const index = async (request: QadminRequest, source: Representation) => {
    const key = request.basePath;
    const cached = indexes.get(key);
    if (cached?.version === source.version) return cached.respond(request);
    const html = injectUiConfig(new TextDecoder().decode(source.body), {
      basePath: request.basePath,
      title: options.title,
      readOnly: options.readOnly,
      ...(options.branding && { branding: options.branding }),
    });
    const representation = new Representation(
      new TextEncoder().encode(html),
      CONTENT_TYPES.html!,
      CACHE_HTML,
      source.version,
    );
    // Base paths come from adapter options, so there are few; the bound is a safety net.
    if (indexes.size >= 32) indexes.clear();
    indexes.set(key, representation);
    return representation.respond(request);
  };

  return async (request) => {
    if (root === undefined) {
      if (request.path === '/favicon.ico') return { status: 204, headers: {}, body: null };
      if (request.path === '/' || request.path === '/index.html' || isDeepLink(request)) {
        builtin ??= new Representation(
          new TextEncoder().encode(
            builtinPage(options.title, options.routes, options.uiDisabled === true),
          ),
          CONTENT_TYPES.html!,
          CACHE_HTML,
          'builtin',
        );
        // Like the UI's index.html, it needs <base href> for its relative links.
        return index(request, builtin);
      }
      return notFound(request);
    }
    const relative = safeRelative(request.path);
    if (relative === null) return notFound(request);
    const file = resolve(root, relative);
    if (file !== root && !file.startsWith(root + sep)) return notFound(request);
    const indexFile = resolve(root, 'index.html');
    if (relative === '' || file === indexFile) {
      const source = await load(indexFile, 'index.html');
      if (!source)
        throw new QadminError(404, 'not-found', 'UI not found', {
          detail: 'uiDir has no index.html',
        });
      return index(request, source);
    }
    const found = await load(file, relative);
    if (found) return found.respond(request);
    if (request.path === '/favicon.ico') return { status: 204, headers: {}, body: null };
    if (isDeepLink(request)) {
      const source = await load(indexFile, 'index.html');
      if (source) return index(request, source);
    }
    return notFound(request);
  };
}
