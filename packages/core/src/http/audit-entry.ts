/**
 * Turns one answered (or failed) mutation request into an {@link AuditEntry}.
 */
import type { AuditEntry } from '../audit';
import type { Principal } from '../auth/model';
import { isQadminError } from '../errors';
import type { Route } from './routes';
import type { QadminRequest } from './types';

/** What `run()` learned about a request before it ended, however it ended. */
export interface AuditNotes {
  /** The permission the request needed, once the body told. */
  permission?: string;
  /** The validated body. */
  body?: unknown;
  /** What the handler returned. */
  result?: unknown;
}

/** Body fields that hold job content: kept out of the trail (it may be secret). */
const CONTENT_FIELDS = new Set(['type', 'data', 'returnValue', 'options']);
const MAX_TEXT = 256;

function decoded(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** The scalar fields of the body (a bulk action's state, age and limit, a schedule's pattern). */
function filterOf(body: unknown, scheduleId: string | undefined): AuditEntry['filter'] {
  const filter: NonNullable<AuditEntry['filter']> = {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) {
      if (CONTENT_FIELDS.has(name)) continue;
      if (typeof value === 'string') filter[name] = clip(value);
      else if (typeof value === 'number' || typeof value === 'boolean' || value === null)
        filter[name] = value;
    }
  }
  if (scheduleId !== undefined) filter.scheduleId = clip(scheduleId);
  return Object.keys(filter).length > 0 ? filter : undefined;
}

function affectedOf(route: Route, result: unknown): number | null {
  switch (route.operationId) {
    case 'addJob':
      return 1;
    case 'jobAction':
      return 1;
    case 'bulkAction': {
      const affected = (result as { affected?: unknown } | null)?.affected;
      return typeof affected === 'number' ? affected : null;
    }
    default:
      return null;
  }
}

/**
 * The audit entry of a mutation by `principal`: `failure` is what it threw,
 * or `undefined` when it was answered with `status`.
 */
export function buildAuditEntry(
  route: Route,
  rawParams: Record<string, string>,
  request: QadminRequest,
  principal: Principal,
  notes: AuditNotes,
  outcome: { status: number } | { failure: unknown },
): AuditEntry {
  const failed = 'failure' in outcome;
  const known = failed && isQadminError(outcome.failure) ? outcome.failure : undefined;
  const status = failed ? (known?.status ?? 500) : outcome.status;
  const addedJobId =
    route.operationId === 'addJob' && !failed
      ? (notes.result as { id?: unknown } | null)?.id
      : undefined;
  const jobId =
    decoded(rawParams.jobId) ?? (typeof addedJobId === 'string' ? addedJobId : undefined);
  const filter = filterOf(
    route.operationId === 'jobAction' || route.operationId === 'addJob'
      ? pick(notes.body, ['name', 'delayMs', 'priority', 'jobId'])
      : notes.body,
    decoded(rawParams.scheduleId),
  );
  const entry: AuditEntry = {
    id: globalThis.crypto.randomUUID(),
    at: Date.now(),
    actor: { id: principal.id, name: principal.name, role: principal.role, via: principal.via },
    action: notes.permission ?? route.operationId,
    queueId: decoded(rawParams.queueId) ?? '',
    affected: failed ? null : affectedOf(route, notes.result),
    outcome: failed ? 'error' : 'ok',
    status,
  };
  if (jobId !== undefined) entry.jobId = clip(jobId);
  if (filter) entry.filter = filter;
  if (failed) {
    entry.error = known
      ? { title: known.title, ...(known.detail === undefined ? {} : { detail: known.detail }) }
      : { title: 'Internal Server Error' };
  }
  if (request.remoteAddress) entry.remoteAddress = request.remoteAddress;
  return entry;
}

function pick(body: unknown, names: readonly string[]): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  return Object.fromEntries(names.filter((n) => n in record).map((n) => [n, record[n]]));
}
