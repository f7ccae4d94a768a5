/**
 * The events workers send (docs/ingest-protocol.md), validated one by one so
 * a bad event is refused with its field and reason while the rest of its
 * batch is stored.
 */
import type { IngestResult } from '@qadmin/core';
import { z } from 'zod';

const MAX_JSON_CHARS = 256 * 1024;

const text = (max: number) => z.string().min(1).max(max);
const epochMs = z.number().finite().nonnegative();
const json = z.unknown().refine(
  (value) => {
    if (value === undefined) return true;
    try {
      return JSON.stringify(value).length <= MAX_JSON_CHARS;
    } catch {
      return false;
    }
  },
  { message: `must be JSON of at most ${MAX_JSON_CHARS} characters` },
);

const base = { id: text(128), time: epochMs };
const job = {
  ...base,
  queue: text(256),
  jobId: text(256),
  name: text(256).optional(),
  attempt: z.number().int().min(1).max(1_000_000).optional(),
  worker: text(256).optional(),
};

/**
 * Schema of one event a worker reports (docs/ingest-protocol.md).
 *
 * @example
 * ```ts
 * const event = collectorEventSchema.parse({ id: 'w1-1', type: 'queued', time: Date.now(), queue: 'emails', jobId: '1', data: {} });
 * ```
 */
export const collectorEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...job,
    type: z.literal('queued'),
    data: json.optional(),
    attemptsAllowed: z.number().int().min(1).max(1_000_000).optional(),
    priority: z.number().finite().optional(),
    delayUntil: epochMs.optional(),
    parent: z.object({ queue: text(256), id: text(256) }).optional(),
  }),
  z.object({ ...job, type: z.literal('started'), data: json.optional() }),
  z.object({
    ...job,
    type: z.literal('progress'),
    progress: z.union([z.number().finite(), z.record(z.string(), json)]),
  }),
  z.object({ ...job, type: z.literal('log'), message: z.string().max(64 * 1024) }),
  z.object({ ...job, type: z.literal('completed'), result: json.optional() }),
  z.object({
    ...job,
    type: z.literal('failed'),
    error: z.object({
      message: z.string().max(64 * 1024),
      stack: z
        .string()
        .max(256 * 1024)
        .optional(),
    }),
    willRetry: z.boolean().optional(),
    retryAt: epochMs.optional(),
  }),
  z.object({
    ...job,
    type: z.literal('cancelled'),
    reason: z
      .string()
      .max(64 * 1024)
      .optional(),
  }),
  z.object({
    ...base,
    type: z.literal('heartbeat'),
    worker: text(256),
    queues: z.array(text(256)).max(10_000).default([]),
    name: z.string().max(256).optional(),
    host: z.string().max(256).optional(),
    pid: z.number().int().nonnegative().optional(),
    concurrency: z.number().int().positive().optional(),
    activeJobs: z.number().int().nonnegative().optional(),
    startedAt: epochMs.optional(),
    stopping: z.boolean().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('command-result'),
    worker: text(256),
    commandId: text(128),
    ok: z.boolean(),
    message: z
      .string()
      .max(64 * 1024)
      .optional(),
    retriedAs: text(256).optional(),
  }),
]);

/**
 * One event a worker reports, after validation.
 *
 * @example
 * ```ts
 * const event: CollectorEvent = { id: 'w1-2', type: 'completed', time: Date.now(), queue: 'emails', jobId: '1', result: { sent: true } };
 * ```
 */
export type CollectorEvent = z.output<typeof collectorEventSchema>;

/**
 * An event that belongs to a job (every type but `heartbeat` and
 * `command-result`).
 *
 * @example
 * ```ts
 * const isJobEvent = (e: CollectorEvent): e is JobEvent => 'jobId' in e;
 * ```
 */
export type JobEvent = Extract<CollectorEvent, { jobId: string }>;

/**
 * The events as they may be written by hand: optional fields left out.
 *
 * @example
 * ```ts
 * collector.record([{ id: 'a-1', type: 'started', time: Date.now(), queue: 'emails', jobId: '7' }]);
 * ```
 */
export type CollectorEventInput = z.input<typeof collectorEventSchema>;

type Rejection = IngestResult['rejected'][number];

/** Validates the events of a batch: the good ones, and a reason for each bad one. */
export function validateEvents(raw: readonly unknown[]): {
  events: CollectorEvent[];
  rejected: Rejection[];
} {
  const events: CollectorEvent[] = [];
  const rejected: Rejection[] = [];
  raw.forEach((candidate, index) => {
    const result = collectorEventSchema.safeParse(candidate);
    if (result.success) {
      events.push(result.data);
      return;
    }
    const issue = result.error.issues[0]!;
    const id = (candidate as { id?: unknown } | null)?.id;
    rejected.push({
      index,
      ...(typeof id === 'string' && id.length > 0 && id.length <= 128 ? { id } : {}),
      field: `events[${index}]${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`,
      reason: issue.message,
    });
  });
  return { events, rejected };
}
