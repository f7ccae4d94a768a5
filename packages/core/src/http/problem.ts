/**
 * Problem documents (RFC 9457) and the JSON responses of the API.
 */
import { z } from 'zod';
import { isQadminError, QadminError } from '../errors';
import type { QadminRequest, QadminResponse } from './types';

/**
 * Base of every problem `type` URI; the problem code is appended.
 *
 * @example
 * ```ts
 * if (problem.type === `${PROBLEM_TYPE_BASE}not-found`) return null;
 * ```
 */
export const PROBLEM_TYPE_BASE = 'https://qadmin.dev/problems/';

/**
 * Schema of a {@link ProblemDocument}.
 *
 * @example
 * ```ts
 * const value = problemSchema.parse(JSON.parse(text));
 * ```
 */
export const problemSchema = z
  .object({
    type: z.string().describe(`\`${PROBLEM_TYPE_BASE}<code>\``),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request path'),
    field: z
      .string()
      .optional()
      .describe('The request field at fault, as a dotted path (`query.limit`, `body.data`)'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

/**
 * The body of every error response (`application/problem+json`, RFC 9457),
 * with `field` naming the request field at fault when there is one.
 *
 * @example
 * ```ts
 * const problem: ProblemDocument = {
 *   type: 'https://qadmin.dev/problems/invalid-input', title: 'Invalid query.limit',
 *   status: 400, detail: 'must be at most 100', instance: '/api/queues/memory%3Aemails/jobs',
 *   field: 'query.limit',
 * };
 * ```
 */
export type ProblemDocument = z.infer<typeof problemSchema>;

/** Headers every API response carries. */
const API_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * A JSON response with the API's headers.
 *
 * @example
 * ```ts
 * return jsonResponse({ status: 'ok' });
 * ```
 */
export function jsonResponse(
  data: unknown,
  status = 200,
  headers: Record<string, string> = {},
): QadminResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...API_HEADERS, ...headers },
    body: JSON.stringify(data),
  };
}

/**
 * Turns anything thrown while handling `request` into a problem+json
 * response. A {@link QadminError} keeps its status, title, detail and field;
 * anything else becomes a 500 with a generic detail and is logged once with
 * `console.error`, so stack traces never reach the client.
 *
 * @example
 * ```ts
 * try { return await route(request); } catch (error) { return problemResponse(error, request); }
 * ```
 */
export function problemResponse(
  error: unknown,
  request: Pick<QadminRequest, 'method' | 'path' | 'basePath'>,
): QadminResponse {
  const known = isQadminError(error) ? error : undefined;
  if (!known) {
    console.error(`[qadmin] ${request.method} ${request.path} failed:`, error);
  }
  const failure =
    known ??
    new QadminError(500, 'internal', 'Internal Server Error', {
      detail: 'The server could not handle the request; the error was logged.',
    });
  const problem: ProblemDocument = {
    ...failure.extra,
    type: PROBLEM_TYPE_BASE + failure.code,
    title: failure.title,
    status: failure.status,
    instance: `${request.basePath}${request.path}`,
  };
  if (failure.detail !== undefined) problem.detail = failure.detail;
  if (failure.field !== undefined) problem.field = failure.field;
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json; charset=utf-8',
    ...API_HEADERS,
  };
  const allow = failure.extra?.allow;
  if (failure.status === 405 && Array.isArray(allow)) headers.allow = allow.join(', ');
  const retryAfter = failure.extra?.retryAfterSeconds;
  if (failure.status === 429 && typeof retryAfter === 'number')
    headers['retry-after'] = String(retryAfter);
  if (failure.status === 401) headers['www-authenticate'] = 'Bearer realm="qadmin"';
  return { status: failure.status, headers, body: JSON.stringify(problem) };
}

/**
 * A 405 for a known path asked with a method it does not answer; the
 * response carries the `Allow` header.
 *
 * @example
 * ```ts
 * throw methodNotAllowed('DELETE', ['GET', 'HEAD']);
 * ```
 */
export function methodNotAllowed(method: string, allow: readonly string[]): QadminError {
  return new QadminError(405, 'method-not-allowed', 'Method not allowed', {
    detail: `${method} is not allowed here; use ${allow.join(', ')}`,
    extra: { allow: [...allow] },
  });
}

/** A 404 for a path no route answers. */
export function noRoute(method: string, path: string): QadminError {
  return new QadminError(404, 'not-found', 'Not found', {
    detail: `No route for ${method} ${path}`,
  });
}
