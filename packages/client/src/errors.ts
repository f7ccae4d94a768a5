import type { ProblemDocument } from '@qadmin/core';

/**
 * An error answer of the qadmin API, carrying its problem document
 * (RFC 9457). Answers that are not problem+json (a proxy's 502 page) get a
 * problem built from the status line.
 *
 * @example
 * ```ts
 * try {
 *   await client.addJob('memory:emails', { name: '' });
 * } catch (error) {
 *   if (error instanceof QadminApiError && error.status === 400) showFieldError(error.field, error.detail);
 * }
 * ```
 */
export class QadminApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The whole problem document, including any extra members (`capability`, `backend`, ...). */
  readonly problem: ProblemDocument;
  /** The problem type URI, `https://qadmin.dev/problems/<code>`. */
  readonly type: string;
  /** Short summary of the problem. */
  readonly title: string;
  /** Explanation of this occurrence. */
  readonly detail: string | undefined;
  /** The request field at fault (`query.limit`, `body.name`), when one is. */
  readonly field: string | undefined;
  /** The request path the problem occurred at. */
  readonly instance: string | undefined;

  constructor(problem: ProblemDocument) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'QadminApiError';
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.field = problem.field;
    this.instance = problem.instance;
  }

  /** The last part of the problem type: `not-found`, `invalid-input`, `unsupported`, ... */
  get code(): string {
    return this.type.slice(this.type.lastIndexOf('/') + 1);
  }
}

/**
 * True when `value` is a {@link QadminApiError} (also across copies of this package).
 *
 * @example
 * ```ts
 * if (isQadminApiError(error) && error.code === 'not-found') return null;
 * ```
 */
export function isQadminApiError(value: unknown): value is QadminApiError {
  return (
    value instanceof QadminApiError ||
    (value instanceof Error &&
      value.name === 'QadminApiError' &&
      typeof (value as { status?: unknown }).status === 'number')
  );
}

/** The {@link QadminApiError} of a failed response. */
export async function errorFromResponse(response: Response): Promise<QadminApiError> {
  const type = response.headers.get('content-type') ?? '';
  let problem: ProblemDocument | undefined;
  if (type.includes('json')) {
    try {
      const body = (await response.json()) as Partial<ProblemDocument> | null;
      if (body && typeof body === 'object' && typeof body.title === 'string') {
        problem = {
          ...body,
          type: typeof body.type === 'string' ? body.type : 'about:blank',
          title: body.title,
          status: typeof body.status === 'number' ? body.status : response.status,
        };
      }
    } catch {
      // Not JSON after all: described from the status below.
    }
  } else {
    await response.body?.cancel().catch(() => {});
  }
  return new QadminApiError(
    problem ?? {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
    },
  );
}
