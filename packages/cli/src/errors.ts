/**
 * A mistake in how qadmin was asked to run (a flag, an environment variable, the
 * config file): reported in one line, exit code 2, before anything starts.
 *
 * @example
 * ```ts
 * throw new UsageError('--port must be a whole number from 0 to 65535, not "http"');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A failure at start-up that is no one's typing mistake (a source that cannot
 * be reached, a port in use): reported in one line, exit code 1.
 *
 * @example
 * ```ts
 * throw new StartupError('cannot read from source "bullmq", Redis redis://127.0.0.1:6379 (BullMQ, prefix bull): connect ECONNREFUSED 127.0.0.1:6379');
 * ```
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * A failure while a command works against a running dashboard (it cannot be
 * reached, it refused a request, a queue or job does not exist): reported in
 * one line, exit code 1.
 *
 * @example
 * ```ts
 * throw new CommandError('cannot reach the dashboard at http://127.0.0.1:3000/: connect ECONNREFUSED 127.0.0.1:3000');
 * ```
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** The message of an error and of its causes, joined: what a user needs, no stack. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message =
      current instanceof Error
        ? current.message ||
          (current as NodeJS.ErrnoException).code ||
          // AggregateError (a host with several addresses, each refused) keeps its reasons inside.
          (current instanceof AggregateError ? describeError(current.errors[0]) : current.name)
        : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}
