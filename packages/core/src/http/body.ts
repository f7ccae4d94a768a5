/**
 * Reading a request body: size limit enforced while streaming, JSON only.
 */
import { invalidInput, QadminError } from '../errors';
import type { QadminRequest } from './types';

/**
 * The default request body limit: 1 MiB.
 *
 * @example
 * ```ts
 * createAdmin({ backends, bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES / 4 });
 * ```
 */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

function tooLarge(limit: number): QadminError {
  return new QadminError(413, 'payload-too-large', 'Request body too large', {
    detail: `The body must not exceed ${limit} bytes`,
    field: 'body',
    extra: { limit },
  });
}

function header(request: QadminRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True for `application/json` and any `application/*+json` media type. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const encoder = new TextEncoder();

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/**
 * Reads the raw body of `request`, refusing it with a 413 as soon as more
 * than `limit` bytes arrived: a stream is not read any further (its iterator
 * is returned, its reader cancelled).
 */
async function readRawBody(request: QadminRequest, limit: number): Promise<Uint8Array> {
  const body = request.body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = toBytes(body);
    if (bytes.byteLength > limit) throw tooLarge(limit);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const take = (chunk: Uint8Array | string) => {
    const bytes = toBytes(chunk);
    total += bytes.byteLength;
    if (total > limit) throw tooLarge(limit);
    chunks.push(bytes);
  };
  if (Symbol.asyncIterator in body) {
    // for-await calls the iterator's return() when take() throws: reading stops there.
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) take(chunk);
  } else {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        take(value);
      }
    } catch (error) {
      await reader.cancel().catch(() => {});
      throw error;
    } finally {
      reader.releaseLock();
    }
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON body of a mutation: 415 unless the content type is JSON, 413
 * beyond `limit` bytes (checked against `content-length` first, then while
 * reading), 400 naming `body` when it is empty, not UTF-8 or not JSON. A body
 * the host framework already parsed (`parsedBody`) is taken as is once its
 * media type is JSON and its size (declared, or as JSON) is within `limit`.
 *
 * @example
 * ```ts
 * const input = await readJsonBody(request, DEFAULT_BODY_LIMIT_BYTES);
 * ```
 */
export async function readJsonBody(request: QadminRequest, limit: number): Promise<unknown> {
  // The media type is checked even when a host parser already read the body:
  // a form it decoded (a cross-site form can send one) is not JSON input.
  const contentType = header(request, 'content-type');
  if (!isJsonMediaType(contentType)) {
    throw new QadminError(415, 'unsupported-media-type', 'Unsupported media type', {
      detail: `The body must be application/json${contentType ? `, not ${contentType}` : ''}`,
      field: 'body',
    });
  }
  const declared = Number(header(request, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const parsed = request.parsedBody;
  // A framework's raw or text parser leaves bytes or a string: those are read like a raw body.
  const rawParsed = typeof parsed === 'string' || parsed instanceof Uint8Array ? parsed : undefined;
  if (parsed !== undefined && rawParsed === undefined) {
    // A chunked body has no content-length: measure what the host parsed instead.
    if (encoder.encode(JSON.stringify(parsed) ?? '').byteLength > limit) throw tooLarge(limit);
    return parsed;
  }
  const raw = await readRawBody(
    rawParsed === undefined ? request : { ...request, body: rawParsed },
    limit,
  );
  if (raw.byteLength === 0) throw invalidInput('body', 'a JSON body is required');
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw invalidInput('body', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidInput('body', `is not valid JSON (${(error as Error).message})`);
  }
}
