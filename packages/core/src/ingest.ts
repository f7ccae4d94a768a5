/**
 * The ingest seam: backends fed by events (the collector) take batches from
 * workers at `api/ingest/events` and hand commands to them at
 * `api/ingest/commands`, on the dashboard's own server through every adapter.
 * Core owns the HTTP side (the envelope, the token, the limits); the backend
 * owns what an event means. The wire format is docs/ingest-protocol.md.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Most events one `POST api/ingest/events` may carry. */
export const MAX_INGEST_BATCH = 1000;

/**
 * Schema of the body of `POST api/ingest/events`: the envelope only; each
 * event is validated by the backend, which rejects bad ones one by one.
 *
 * @example
 * ```ts
 * const batch = ingestBatchSchema.parse({ events: [{ id: 'w1-1', type: 'queued', time: Date.now(), queue: 'emails', jobId: '1' }] });
 * ```
 */
export const ingestBatchSchema = z
  .object({
    events: z
      .array(z.unknown())
      .max(MAX_INGEST_BATCH)
      .describe('Events as docs/ingest-protocol.md describes them'),
  })
  .meta({ id: 'IngestBatch' });

/**
 * Schema of one refused event in an {@link IngestResult}.
 *
 * @example
 * ```ts
 * const r = ingestRejectionSchema.parse({ index: 4, field: 'events[4].type', reason: 'Unknown type' });
 * ```
 */
export const ingestRejectionSchema = z
  .object({
    index: z.number().int().nonnegative().describe('Position of the event in the batch'),
    id: z.string().optional().describe("The event's id, when it had a usable one"),
    field: z.string().describe('The field at fault, like events[4].type'),
    reason: z.string(),
  })
  .meta({ id: 'IngestRejection' });

/**
 * Schema of {@link IngestResult}.
 *
 * @example
 * ```ts
 * const result = ingestResultSchema.parse(await response.json());
 * ```
 */
export const ingestResultSchema = z
  .object({
    accepted: z.number().int().nonnegative().describe('Events stored by this request'),
    duplicates: z.number().int().nonnegative().describe('Events whose id was already stored'),
    rejected: z.array(ingestRejectionSchema).describe('Events refused, each with its reason'),
  })
  .meta({ id: 'IngestResult' });

/**
 * What a batch of events came to: how many were stored, how many were known
 * already (events are idempotent per id), and which were refused and why.
 *
 * @example
 * ```ts
 * const result: IngestResult = { accepted: 10, duplicates: 0, rejected: [] };
 * ```
 */
export type IngestResult = z.infer<typeof ingestResultSchema>;

/**
 * Schema of an {@link IngestCommand}.
 *
 * @example
 * ```ts
 * const command = ingestCommandSchema.parse(json.commands[0]);
 * ```
 */
export const ingestCommandSchema = z
  .object({
    id: z.string(),
    type: z.enum(['retry', 'cancel']),
    queue: z.string(),
    jobId: z.string(),
    name: z.string().describe("The job's name"),
    data: z.unknown().describe("The job's data, so a worker can enqueue it again"),
    attempt: z.number().int().positive().describe('The last attempt the collector knows of'),
    createdAt: z.number().describe('When the dashboard asked for it, epoch ms'),
  })
  .meta({ id: 'IngestCommand' });

/**
 * An action asked for in the dashboard that a worker must carry out (the
 * collector cannot retry or cancel a job by itself). The worker answers with
 * a `command-result` event.
 *
 * @example
 * ```ts
 * const command: IngestCommand = { id: 'c1', type: 'retry', queue: 'emails', jobId: '42', name: 'send', data: {}, attempt: 3, createdAt: Date.now() };
 * ```
 */
export type IngestCommand = z.infer<typeof ingestCommandSchema>;

/**
 * Schema of the query of `GET api/ingest/commands`.
 *
 * @example
 * ```ts
 * const q = ingestCommandsQuerySchema.parse({ worker: 'w1', queues: 'emails,reports' });
 * ```
 */
export const ingestCommandsQuerySchema = z.object({
  worker: z.string().min(1).max(256).describe('Id of the polling worker'),
  queues: z
    .string()
    .max(64 * 1024)
    .default('')
    .describe('Comma-separated queue names the worker serves; empty for none')
    .transform((value) => value.split(',').filter((name) => name !== '')),
});

/**
 * What a backend fed by events offers the dashboard's HTTP side. Declared as
 * {@link QueueBackend.ingest}; core routes `api/ingest/*` to the first
 * backend whose `accepts` knows the request's bearer token.
 *
 * @example
 * ```ts
 * const ingest: IngestEndpoint = {
 *   accepts: tokenMatcher(['a-long-random-ingest-token-0001']),
 *   ingest: async (events) => store.record(events),
 *   commands: async ({ worker, queues }) => store.claimCommands(worker, queues),
 * };
 * ```
 */
export interface IngestEndpoint {
  /** Whether `token` may report to this backend; compare in constant time ({@link tokenMatcher}). */
  accepts(token: string): boolean;
  /** Validates and stores a batch: never throws for a bad event, only for an unusable store. */
  ingest(events: readonly unknown[]): Promise<IngestResult>;
  /** Hands pending commands of `queues` to `worker` (leased to it for a while). */
  commands(query: { worker: string; queues: readonly string[] }): Promise<IngestCommand[]>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A constant-time test of a token against a list: SHA-256 digests, every one
 * compared whatever matched. Refuses lists holding a token shorter than 24
 * characters, which could be guessed.
 *
 * @example
 * ```ts
 * const accepts = tokenMatcher([process.env.QADMIN_INGEST_TOKEN!]);
 * accepts(givenToken); // true or false
 * ```
 */
export function tokenMatcher(tokens: readonly string[]): (token: string) => boolean {
  const known = tokens.map((token, index) => {
    if (typeof token !== 'string' || token.length < 24) {
      throw new TypeError(`ingestTokens[${index}] must be a string of at least 24 characters`);
    }
    return digest(token);
  });
  return (token) => {
    const given = digest(token);
    let found = false;
    for (const entry of known) found = timingSafeEqual(entry, given) || found;
    return found;
  };
}
