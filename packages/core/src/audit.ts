/**
 * The audit trail: one entry per mutation a logged-in caller asked for, kept
 * in the queue's own store (see {@link QueueBackend.appendAudit}) and read
 * back newest first at `api/audit`.
 */
import { z } from 'zod';
import { ROLES } from './auth/model';
import type { QueueBackend } from './backend';
import { isQadminError, QadminError } from './errors';

/**
 * How many entries a store keeps by default, and how many the service keeps
 * in process for queues whose backend has no store of its own.
 *
 * @example
 * ```ts
 * const backend = createBullMQBackend({ connection, auditCap: DEFAULT_AUDIT_CAP * 10 });
 * ```
 */
export const DEFAULT_AUDIT_CAP = 10_000;

/**
 * Schema of {@link AuditEntry}.
 *
 * @example
 * ```ts
 * const entry = auditEntrySchema.parse(JSON.parse(text));
 * ```
 */
export const auditEntrySchema = z
  .object({
    id: z.string().describe('Unique id of the entry (a UUID)'),
    at: z.number().int().describe('When the request was answered, epoch milliseconds'),
    actor: z
      .object({
        id: z.string(),
        name: z.string(),
        role: z.enum(ROLES),
        via: z.string().describe('How it was authenticated; `anonymous` when nobody logs in'),
      })
      .describe('Who asked'),
    action: z
      .string()
      .describe(
        'The permission the request needed (`job.retry`, `queue.clean`, `schedules.write`), or the operation id when the body was too broken to tell',
      ),
    queueId: z.string().describe('Dashboard-wide queue id, as the caller gave it'),
    jobId: z.string().optional().describe('The job acted on (the new job for `job.add`)'),
    filter: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional()
      .describe(
        "What the action was aimed at besides a job: a bulk action's state, age and limit, a schedule's id. Never job data.",
      ),
    affected: z
      .number()
      .int()
      .nullable()
      .describe('How many jobs the action touched, when known (1 for a job action)'),
    outcome: z.enum(['ok', 'error']),
    status: z.number().int().describe('The HTTP status of the answer'),
    error: z
      .object({ title: z.string(), detail: z.string().optional() })
      .optional()
      .describe('The problem the caller was answered with, on failure (never a stack trace)'),
    remoteAddress: z.string().optional().describe('The peer address the adapter saw'),
  })
  .meta({ id: 'AuditEntry' });

/**
 * One mutation of the dashboard: who (actor and role), what (the permission
 * it needed: `job.retry`, `queue.clean`, `schedules.write`, ...), where (the
 * queue, the job or the filter of a bulk action), how many jobs it touched,
 * how it ended (`ok` or `error` with the HTTP status and the problem's title
 * and detail) and when.
 *
 * Recorded for every POST/PUT/DELETE of the JSON API by a caller that was
 * authenticated, refusals (403, 404, 409, ...) included. Not recorded:
 * requests without credentials (401), which would let anyone fill the log;
 * requests refused as cross-site, which are another site's doing, not the
 * actor's; and logins and logouts, which are not mutations of a queue (failed
 * logins are rate-limited by the password provider instead).
 *
 * @example
 * ```ts
 * const entry: AuditEntry = {
 *   id: crypto.randomUUID(), at: Date.now(),
 *   actor: { id: 'ana', name: 'ana', role: 'operator', via: 'password' },
 *   action: 'job.retry', queueId: 'redis:emails', jobId: '42',
 *   affected: 1, outcome: 'ok', status: 200, remoteAddress: '10.0.0.7',
 * };
 * ```
 */
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * What {@link QueueBackend.listAudit} is asked: entries older than `before`
 * (epoch ms, exclusive; the newest when left out), at most `limit`.
 *
 * @example
 * ```ts
 * const page = await backend.listAudit!({ before: Date.now() - 3_600_000, limit: 100 });
 * ```
 */
export interface AuditQuery {
  before?: number | undefined;
  limit: number;
}

/**
 * Schema of the query of `GET api/audit`.
 *
 * @example
 * ```ts
 * const query = auditQuerySchema.parse({ limit: '50' });
 * ```
 */
export const auditQuerySchema = z.object({
  before: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Only entries older than this (epoch ms): the `nextBefore` of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Entries per page'),
});

/**
 * Schema of {@link AuditPage}.
 *
 * @example
 * ```ts
 * const page = auditPageSchema.parse(await (await fetch('/admin/api/audit')).json());
 * ```
 */
export const auditPageSchema = z
  .object({
    entries: z.array(auditEntrySchema).describe('Newest first'),
    nextBefore: z
      .number()
      .int()
      .nullable()
      .describe('The `before` of the next (older) page; null on the last page'),
    unavailable: z
      .array(z.string())
      .describe('Backends whose audit store did not answer: their entries are missing'),
  })
  .meta({ id: 'AuditPage' });

/**
 * A page of the audit trail of every backend, newest first.
 *
 * @example
 * ```ts
 * let page: AuditPage = await client.audit();
 * while (page.nextBefore !== null) page = await client.audit({ before: page.nextBefore });
 * ```
 */
export type AuditPage = z.infer<typeof auditPageSchema>;

function newer(a: AuditEntry, b: AuditEntry): number {
  return b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * A fixed-size, in-process store of audit entries: when full, the oldest
 * entry makes room for the newest. The memory backend's store, and the
 * service's fallback for backends without one.
 *
 * @example
 * ```ts
 * const ring = new AuditRing(1000);
 * ring.append(entry);
 * const newest = ring.list({ limit: 20 });
 * ```
 */
export class AuditRing {
  readonly cap: number;
  readonly #slots: AuditEntry[] = [];
  #next = 0;

  constructor(cap: number = DEFAULT_AUDIT_CAP) {
    if (!Number.isInteger(cap) || cap < 1)
      throw new TypeError('auditCap must be a positive integer');
    this.cap = cap;
  }

  /** Number of entries kept. */
  get size(): number {
    return this.#slots.length;
  }

  append(entry: AuditEntry): void {
    if (this.#slots.length < this.cap) this.#slots.push(entry);
    else this.#slots[this.#next] = entry;
    this.#next = (this.#next + 1) % this.cap;
  }

  /** Entries older than `before`, newest first, at most `limit`. */
  list(query: AuditQuery): AuditEntry[] {
    const out: AuditEntry[] = [];
    const count = this.#slots.length;
    // Walks back from the newest slot; entries usually arrive in time order, but
    // the result is sorted anyway so that a clock step back cannot misorder it.
    for (let i = 1; i <= count; i++) {
      const entry = this.#slots[(this.#next - i + count * 2) % count]!;
      if (query.before !== undefined && entry.at >= query.before) continue;
      out.push(entry);
    }
    return out.sort(newer).slice(0, query.limit);
  }
}

/**
 * Merges pages of several stores (each newest first, each asked for
 * `limit + 1`) into one page. Entries that share the millisecond at the edge
 * of a full page move to the next page together, since `before` is
 * exclusive; only when a whole page shares one millisecond is the rest of it
 * skipped.
 */
export function mergeAuditPages(
  pages: readonly AuditEntry[][],
  limit: number,
): { entries: AuditEntry[]; nextBefore: number | null } {
  const seen = new Set<string>();
  const merged: AuditEntry[] = [];
  for (const entry of pages.flat().sort(newer)) {
    // Two backends over one store (one Redis prefix) hand back the same entries.
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    merged.push(entry);
  }
  if (merged.length <= limit) return { entries: merged, nextBefore: null };
  const edge = merged[limit - 1]!.at;
  let cut = limit;
  if (merged[limit]!.at === edge) {
    cut = merged.findIndex((entry) => entry.at === edge);
    if (cut === 0) cut = limit;
  }
  const entries = merged.slice(0, cut);
  return { entries, nextBefore: entries.at(-1)!.at };
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions {
  /** Called with every entry after it is stored; its errors are logged, never thrown. */
  onAudit?: ((entry: AuditEntry) => void) | undefined;
  /** How long a store may take. */
  timeoutMs: number;
  /** Where failures go. Default `console.error` (`console.warn` for an unreachable backend). */
  log?: (message: string, error: unknown) => void;
}

/**
 * Where the service keeps the audit trail: each entry goes to the store of
 * the backend of its queue when that backend declares `capabilities.audit`,
 * else (and when that store fails) to an in-process {@link AuditRing} of
 * {@link DEFAULT_AUDIT_CAP} entries, so that nothing is dropped silently.
 * Nothing here ever throws into the request being audited.
 *
 * @internal Used by {@link AdminService}.
 */
export class AuditTrail {
  readonly fallback = new AuditRing(DEFAULT_AUDIT_CAP);
  readonly #backends: ReadonlyMap<string, QueueBackend>;
  readonly #options: AuditTrailOptions;
  /** Sources whose last attempt failed: logged once until they recover. */
  readonly #failing = new Set<string>();
  readonly #pending = new Set<Promise<void>>();

  constructor(backends: ReadonlyMap<string, QueueBackend>, options: AuditTrailOptions) {
    this.#backends = backends;
    this.#options = options;
  }

  /**
   * Hands the entry to the hook at once, then stores it. The returned promise
   * never rejects; callers need not wait for it (a slow store must not slow
   * the answer), and {@link list} waits for the appends still under way, so a
   * read after a change sees it.
   */
  record(entry: AuditEntry): Promise<void> {
    if (this.#options.onAudit) {
      try {
        this.#options.onAudit(entry);
        this.#recovered('hook');
      } catch (error) {
        this.#failed('hook', 'qadmin: the onAudit hook threw', error);
      }
    }
    const storing = this.#store(entry);
    this.#pending.add(storing);
    void storing.finally(() => this.#pending.delete(storing));
    return storing;
  }

  async #store(entry: AuditEntry): Promise<void> {
    const backendId = entry.queueId.slice(0, Math.max(0, entry.queueId.indexOf(':')));
    const backend = this.#backends.get(backendId);
    const append = backend?.capabilities.audit ? backend.appendAudit?.bind(backend) : undefined;
    if (!backend || !append) {
      this.fallback.append(entry);
      return;
    }
    try {
      await this.#bounded(append(entry), `${backend.id}.appendAudit`);
      this.#recovered(`store:${backend.id}`);
    } catch (error) {
      this.#failed(
        `store:${backend.id}`,
        `qadmin: the audit store of backend ${backend.id} failed; keeping entries in process until it answers again`,
        error,
      );
      this.fallback.append(entry);
    }
  }

  /** Waits for the appends under way (for a clean shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    await this.settle();
    const ask = { before: query.before, limit: query.limit + 1 };
    const unavailable: string[] = [];
    const pages = await Promise.all(
      [...this.#backends.values()].map(async (backend) => {
        const list = backend.capabilities.audit ? backend.listAudit?.bind(backend) : undefined;
        if (!list) return [];
        try {
          const entries = await this.#bounded(list(ask), `${backend.id}.listAudit`);
          this.#recovered(`list:${backend.id}`);
          return entries;
        } catch (error) {
          this.#failed(
            `list:${backend.id}`,
            `qadmin: reading the audit store of ${backend.id} failed`,
            error,
          );
          unavailable.push(backend.id);
          return [];
        }
      }),
    );
    pages.push(this.fallback.list(ask));
    return { ...mergeAuditPages(pages, query.limit), unavailable };
  }

  async #bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QadminError(503, 'backend-timeout', `${what} did not answer in time`)),
        this.#options.timeoutMs,
      );
      timer.unref?.();
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(source: string, message: string, error: unknown): void {
    if (this.#failing.has(source)) return;
    this.#failing.add(source);
    // A backend that cannot be reached (503) is already reported by health and every
    // request to it: a warning. Anything else is a fault to look at.
    if (this.#options.log) this.#options.log(message, error);
    else if (isQadminError(error) && error.status === 503) console.warn(message, error);
    else console.error(message, error);
  }

  #recovered(source: string): void {
    this.#failing.delete(source);
  }
}
