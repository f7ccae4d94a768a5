/**
 * Requests a fault test sends to a dashboard while its store is down or
 * slow: each one timed, and each outcome kept (a status, a hang, a network
 * error) instead of thrown, so a test can say afterwards what every request
 * met.
 */

/**
 * How one request ended.
 *
 * @example
 * ```ts
 * const answer: ProbeAnswer = await probe(base, 'jobs', 'GET', 'api/queues/x/jobs', since);
 * if (answer.status === 'hung') console.log(showAnswer(answer));
 * ```
 */
export interface ProbeAnswer {
  label: string;
  /** The HTTP status, or how the request ended without one. */
  status: number | 'hung' | 'network-error';
  contentType: string;
  ms: number;
  body: unknown;
  /** Milliseconds since `since` (the start of the fault) when the request was sent. */
  sentAt: number;
}

/** A request still unanswered after this long is recorded as hung. */
export const HUNG_AFTER_MS = 12_000;

/**
 * Sends one request to `<base>/<path>` (JSON `body` when given) and resolves
 * with how it ended, never rejecting.
 *
 * @example
 * ```ts
 * const answer = await probe('http://127.0.0.1:3000', 'overview', 'GET', 'api/overview', performance.now());
 * ```
 */
export async function probe(
  base: string,
  label: string,
  method: 'GET' | 'POST',
  path: string,
  since: number,
  body?: unknown,
): Promise<ProbeAnswer> {
  const started = performance.now();
  const sentAt = Math.round(started - since);
  try {
    const response = await fetch(`${base}/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(HUNG_AFTER_MS),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return {
      label,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      ms: Math.round(performance.now() - started),
      body: parsed,
      sentAt,
    };
  } catch (error) {
    const hung = error instanceof Error && error.name === 'TimeoutError';
    return {
      label,
      status: hung ? 'hung' : 'network-error',
      contentType: '',
      ms: Math.round(performance.now() - started),
      body: String(error),
      sentAt,
    };
  }
}

/**
 * True when the answer is an `application/problem+json` document.
 *
 * @example
 * ```ts
 * expect(isProblemAnswer(answer)).toBe(true);
 * ```
 */
export function isProblemAnswer(answer: ProbeAnswer): boolean {
  return answer.contentType.startsWith('application/problem+json');
}

/**
 * One line for a test message: label, status, time, and the body of an
 * unexpected 5xx.
 *
 * @example
 * ```ts
 * expect(late.map(showAnswer)).toEqual([]);
 * ```
 */
export function showAnswer(answer: ProbeAnswer): string {
  return `${answer.label}: ${answer.status} in ${answer.ms} ms (sent at +${answer.sentAt} ms)${
    typeof answer.status === 'number' && answer.status >= 500 && answer.status !== 503
      ? ` ${JSON.stringify(answer.body)}`
      : ''
  }`;
}
