/**
 * A problem the dashboard reports to its client as `application/problem+json`
 * (RFC 9457). Backends throw these for expected failures; everything else is a
 * 500 whose details stay in the server log.
 *
 * @example
 * ```ts
 * throw new QadminError(409, 'conflict', 'Job is not failed', { detail: 'Only failed jobs can be retried' });
 * ```
 */
export class QadminError extends Error {
  /** HTTP status this problem is reported with. */
  readonly status: number;
  /** Short summary of the problem type, the same for every occurrence (the problem `title`). */
  readonly title: string;
  /** Short, stable machine-readable code, also the last part of the problem `type`. */
  readonly code: string;
  /** Longer explanation for people. */
  readonly detail: string | undefined;
  /** The request field at fault, as a dotted path (`query.limit`, `body.data`). */
  readonly field: string | undefined;
  /** Extra members added to the problem document. */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    options: {
      detail?: string;
      field?: string;
      extra?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    // The message carries the detail so that a log line or stack trace says why.
    super(
      options.detail === undefined ? title : `${title}: ${options.detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'QadminError';
    this.title = title;
    this.status = status;
    this.code = code;
    this.detail = options.detail;
    this.field = options.field;
    this.extra = options.extra;
  }
}

/**
 * A 404: the queue, job or schedule does not exist.
 *
 * @example
 * ```ts
 * throw notFound('job', '42');
 * ```
 */
export function notFound(what: string, id: string): QadminError {
  return new QadminError(404, 'not-found', `Unknown ${what}`, {
    detail: `No ${what} with id ${JSON.stringify(id)}`,
  });
}

/**
 * A 400: a request field is invalid.
 *
 * @example
 * ```ts
 * throw invalidInput('query.limit', 'must be between 1 and 100');
 * ```
 */
export function invalidInput(field: string, detail: string): QadminError {
  return new QadminError(400, 'invalid-input', `Invalid ${field}`, { field, detail });
}

/**
 * A 409: the action does not apply to the job or queue as it is now.
 *
 * @example
 * ```ts
 * throw conflict('Only delayed jobs can be promoted');
 * ```
 */
export function conflict(detail: string): QadminError {
  return new QadminError(409, 'conflict', 'Action not possible in this state', { detail });
}

/**
 * A 501: the backend does not support this read or action.
 *
 * @example
 * ```ts
 * throw unsupported('promote');
 * ```
 */
export function unsupported(capability: string): QadminError {
  return new QadminError(501, 'unsupported', 'Not supported by this backend', {
    detail: `The backend does not support ${capability}`,
    extra: { capability },
  });
}

/**
 * A 503: the backend's store cannot be reached.
 *
 * @example
 * ```ts
 * throw unavailable('redis', err);
 * ```
 */
export function unavailable(backendId: string, cause?: unknown): QadminError {
  return new QadminError(503, 'backend-unavailable', 'Backend unavailable', {
    detail: `Backend ${JSON.stringify(backendId)} cannot be reached`,
    extra: { backend: backendId },
    cause,
  });
}

/**
 * A 403: the dashboard is read-only (or the principal may not act).
 *
 * @example
 * ```ts
 * throw readOnly();
 * ```
 */
export function readOnly(): QadminError {
  return new QadminError(403, 'read-only', 'The dashboard is read-only', {
    detail: 'Mutations are disabled for this dashboard',
  });
}

/**
 * True when `value` is a {@link QadminError} (also across package copies).
 *
 * @example
 * ```ts
 * if (isQadminError(err) && err.status === 404) { ... }
 * ```
 */
export function isQadminError(value: unknown): value is QadminError {
  return (
    value instanceof QadminError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'QadminError' &&
      typeof (value as { status?: unknown }).status === 'number')
  );
}

/** Node's codes for a peer that cannot be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * True when `error` says the store cannot be reached or went away, not that
 * the request was wrong: Node's network codes, SQLSTATE class 08 (connection
 * exception) and 57P0x (the server shut down or is starting), and the words
 * pg and ioredis use for a lost connection. The service answers such errors
 * with 503; a backend calls it to tell them from a library's refusal.
 *
 * @example
 * ```ts
 * try { await boss.send(queue, data); } catch (error) {
 *   if (isConnectionError(error)) throw unavailable('pgboss', error);
 *   throw invalidInput('options', String(error));
 * }
 * ```
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || /^(08|57P0)/.test(code))) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  // Drivers' words for a server they cannot reach (pg, pg-pool, ioredis).
  return /connection is closed|connect ECONNREFUSED|Connection terminated|max retries per request|Stream isn't writeable|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}
