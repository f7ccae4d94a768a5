/**
 * The neutral request an adapter builds from its framework's request.
 *
 * `path` is the part below the mount point (always starting with `/`), still
 * percent-encoded as it came in: ids are URL-encoded in one path segment
 * (`memory%3Aemails`, a job id `a%2Fb`), so an adapter must not decode it.
 * `basePath` is the mount point as the browser sees it (`''` at the root,
 * `/admin/queues` under a prefix, see `normalizeBasePath`), used for links and
 * the UI's `<base href>`.
 *
 * The body is given raw (`body`), or already parsed by a framework body parser
 * (`parsedBody`, when the host app ran `express.json()` or similar). Core
 * enforces the size limit while reading a raw body.
 *
 * @example
 * ```ts
 * const request: QadminRequest = {
 *   method: 'GET', path: '/api/overview', basePath: '/admin/queues',
 *   query: new URLSearchParams(), headers: { accept: 'application/json' },
 * };
 * ```
 */
export interface QadminRequest {
  method: string;
  path: string;
  basePath: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  body?:
    | Uint8Array
    | string
    | AsyncIterable<Uint8Array | string>
    | ReadableStream<Uint8Array>
    | null;
  /** A body the framework already parsed; `undefined` when it did not. */
  parsedBody?: unknown;
  /** Aborted when the client goes away; ends SSE streams. */
  signal?: AbortSignal;
  /** The peer address, for logs and trusted-proxy rules. */
  remoteAddress?: string;
  /**
   * Whether the client's connection is HTTPS (session cookies are then
   * `Secure`). When left out, `X-Forwarded-Proto: https` says so.
   */
  secure?: boolean;
}

/**
 * The neutral response an adapter writes back. `body` is a string or bytes
 * (send as is), `null` (no body), or an async iterable of strings (a stream:
 * write and flush each chunk as it arrives, end when it ends, and stop
 * iterating with `return()` when the client leaves).
 *
 * @example
 * ```ts
 * const response: QadminResponse = { status: 204, headers: {}, body: null };
 * ```
 */
export interface QadminResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | AsyncIterable<string> | null;
}

/**
 * True when a response body is a stream the adapter must write chunk by chunk.
 *
 * @example
 * ```ts
 * if (isStreamBody(response.body)) for await (const chunk of response.body) res.write(chunk);
 * ```
 */
export function isStreamBody(body: QadminResponse['body']): body is AsyncIterable<string> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}
