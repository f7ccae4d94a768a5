/**
 * The collector's store: one SQLite file through better-sqlite3 (WAL mode,
 * prepared statements). better-sqlite3 is synchronous, which is what makes a
 * batch atomic and a concurrent action race-free here; everything that could
 * run long (retention, bulk actions) works in small transactions and yields
 * between them, so no request waits behind it for more than a few ms.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry, IngestCommand, IngestResult, JobState } from '@qadmin/core';
import Database from 'better-sqlite3';
import { type CollectorEvent, type JobEvent, validateEvents } from './events';
import { applyEvent, type JobRow, newJobRow, RETRY_STEP } from './fold';
import { SCHEMA, SCHEMA_VERSION } from './schema';

/** A change worth telling the dashboard about. */
export interface StoreChange {
  queue: string;
  jobId: string;
  state: JobState | 'removed';
  name?: string;
}

/** A worker as its heartbeats describe it. */
export interface WorkerRow {
  id: string;
  name: string | null;
  host: string | null;
  pid: number | null;
  queues: string;
  concurrency: number | null;
  active_jobs: number | null;
  started_at: number | null;
  last_seen: number;
  stopping: number;
}

/** A command row. */
export interface CommandRow {
  seq: number;
  id: string;
  type: 'retry' | 'cancel';
  queue: string;
  job_id: string;
  attempt: number;
  created_at: number;
  state: 'open' | 'done' | 'refused';
  worker: string | null;
  leased_until: number | null;
  finished_at: number | null;
  message: string | null;
}

/**
 * Milliseconds a command stays with the worker it was handed to; without an
 * answer by then it is offered again.
 *
 * @example
 * ```ts
 * const pollAgainBefore = Date.now() + COMMAND_LEASE_MS;
 * ```
 */
export const COMMAND_LEASE_MS = 60_000;
const TERMINAL: readonly JobState[] = ['completed', 'failed', 'cancelled', 'abandoned'];

const JOB_COLUMNS = [
  'queue',
  'id',
  'name',
  'state',
  'native',
  'created_at',
  'data',
  'result',
  'error',
  'stack',
  'progress',
  'attempt',
  'attempts_allowed',
  'priority',
  'delay_until',
  'started_at',
  'finished_at',
  'worker',
  'parent_queue',
  'parent_id',
  'd_attempt',
  'd_step',
  'd_time',
  'pending',
  'updated_at',
] as const;
const UPDATABLE = JOB_COLUMNS.filter((c) => c !== 'queue' && c !== 'id');

/** A job row from `seq` and {@link JOB_COLUMNS} in order: one literal, one object shape. */
function rowOf(v: unknown[]): JobRow {
  return {
    seq: v[0] as number,
    queue: v[1] as string,
    id: v[2] as string,
    name: v[3] as string,
    state: v[4] as JobState,
    native: v[5] as string,
    created_at: v[6] as number,
    data: v[7] as string | null,
    result: v[8] as string | null,
    error: v[9] as string | null,
    stack: v[10] as string | null,
    progress: v[11] as string | null,
    attempt: v[12] as number,
    attempts_allowed: v[13] as number | null,
    priority: v[14] as number | null,
    delay_until: v[15] as number | null,
    started_at: v[16] as number | null,
    finished_at: v[17] as number | null,
    worker: v[18] as string | null,
    parent_queue: v[19] as string | null,
    parent_id: v[20] as string | null,
    d_attempt: v[21] as number,
    d_step: v[22] as number,
    d_time: v[23] as number,
    pending: v[24] as string | null,
    updated_at: v[25] as number,
  };
}

/**
 * The collector's SQLite store: opens (or creates) the file and prepares
 * every statement once. {@link createCollectorBackend} makes one; use it
 * directly only for tools that need the store without a dashboard.
 *
 * @example
 * ```ts
 * const store = new CollectorStore('./data/qadmin-events.db');
 * console.log(store.totalJobs());
 * store.close();
 * ```
 */
export class CollectorStore {
  readonly db: Database.Database;
  readonly #now: () => number;
  readonly #statements;
  /** Rows as read from the table, so a write names only what changed. */
  #loaded = new WeakMap<JobRow, JobRow>();
  readonly #updates = new Map<string, Database.Statement>();

  constructor(file: string, options: { now?: () => number } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.#now = options.now ?? Date.now;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // A 16 MiB page cache (SQLite's default is 2 MiB): the hot index pages of a busy store stay
    // in memory. Bigger caches and memory-mapped reads measured no faster here, and cost RSS.
    this.db.pragma('cache_size = -16384');
    this.db.pragma('temp_store = memory');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      this.db.close();
      throw new Error(
        `${file} was written by a newer @qadmin/backend-collector (store version ${version}); upgrade the package`,
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const db = this.db;
    this.#statements = {
      insertEvent: db.prepare(
        'INSERT INTO events (event_id, queue, job_id, type, time, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
      ),
      // Rows come back as arrays and parameters go in by position: better-sqlite3 builds
      // an object row and reads named parameters through V8's generic property paths,
      // which cost more than the SQL of a small write.
      getJob: db
        .prepare<[string, string], unknown[]>(
          `SELECT seq, ${JOB_COLUMNS.join(', ')} FROM jobs WHERE queue = ? AND id = ?`,
        )
        .raw(true),
      insertJob: db.prepare(
        `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})`,
      ),
      touchQueue: db.prepare(
        'INSERT INTO queues (name, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen',
      ),
      heartbeat: db.prepare(
        `INSERT INTO workers (id, name, host, pid, queues, concurrency, active_jobs, started_at, last_seen, stopping)
         VALUES (@id, @name, @host, @pid, @queues, @concurrency, @active_jobs, @started_at, @last_seen, @stopping)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, pid = excluded.pid,
           queues = excluded.queues, concurrency = excluded.concurrency, active_jobs = excluded.active_jobs,
           started_at = excluded.started_at, stopping = excluded.stopping,
           last_seen = max(last_seen, excluded.last_seen)`,
      ),
      getCommand: db.prepare<[string], CommandRow>('SELECT * FROM commands WHERE id = ?'),
      finishCommand: db.prepare(
        'UPDATE commands SET state = ?, finished_at = ?, message = ?, worker = ? WHERE id = ? AND state = ?',
      ),
      jobEvents: db.prepare<[string, string], { body: string }>(
        'SELECT body FROM events WHERE queue = ? AND job_id = ? ORDER BY time, seq',
      ),
      deleteJobEvents: db.prepare('DELETE FROM events WHERE queue = ? AND job_id = ?'),
      deleteJob: db.prepare('DELETE FROM jobs WHERE seq = ?'),
      openCommandOf: db.prepare<[string, string], CommandRow>(
        "SELECT * FROM commands WHERE queue = ? AND job_id = ? AND state = 'open' ORDER BY seq DESC LIMIT 1",
      ),
      insertCommand: db.prepare(
        `INSERT INTO commands (id, type, queue, job_id, attempt, created_at, state)
         VALUES (?, ?, ?, ?, ?, ?, 'open')`,
      ),
      dropJobCommands: db.prepare(
        "UPDATE commands SET state = 'refused', message = 'the job was removed', finished_at = ? WHERE queue = ? AND job_id = ? AND state = 'open'",
      ),
    };
  }

  get now(): number {
    return this.#now();
  }

  // ------------------------------------------------------------------ ingest

  /**
   * Validates and stores a batch in one transaction: idempotent per event
   * id, each job row read and written once however many of its events the
   * batch holds.
   */
  ingest(raw: readonly unknown[]): IngestResult & { changes: StoreChange[] } {
    const { events, rejected } = validateEvents(raw);
    const { accepted, duplicates, changes } = this.record(events);
    return { accepted, duplicates, rejected, changes };
  }

  /** Stores events already validated. */
  record(events: readonly CollectorEvent[]): {
    accepted: number;
    duplicates: number;
    changes: StoreChange[];
  } {
    return this.db.transaction(() => {
      const now = this.#now();
      const s = this.#statements;
      const rows = new Map<string, JobRow>();
      // The state each row had before this batch: only a move is news.
      const stateBefore = new Map<JobRow, JobState | null>();
      const queues = new Set<string>();
      let accepted = 0;
      let duplicates = 0;
      for (const event of events) {
        if (event.type === 'heartbeat') {
          this.#heartbeat(event, now);
          accepted++;
          continue;
        }
        if (event.type === 'command-result') {
          this.#commandResult(event, now, rows, stateBefore);
          accepted++;
          continue;
        }
        const stored = s.insertEvent.run(
          event.id,
          event.queue,
          event.jobId,
          event.type,
          event.time,
          JSON.stringify(event),
        );
        if (stored.changes === 0) {
          duplicates++;
          continue;
        }
        accepted++;
        queues.add(event.queue);
        const key = `${event.queue}\u0000${event.jobId}`;
        let row = rows.get(key);
        if (!row) {
          const existing = this.#read(event.queue, event.jobId);
          row = existing ?? newJobRow(event, now);
          rows.set(key, row);
          stateBefore.set(row, existing ? existing.state : null);
        }
        applyEvent(row, event, now);
      }
      for (const queue of queues) s.touchQueue.run(queue, now, now);
      const changes: StoreChange[] = [];
      for (const row of rows.values()) {
        this.#writeJob(row);
        if (stateBefore.get(row) !== row.state) {
          changes.push({ queue: row.queue, jobId: row.id, state: row.state, name: row.name });
        }
      }
      return { accepted, duplicates, changes };
    })();
  }

  /**
   * Inserts a new row, or updates the columns that changed since it was read
   * (`#loaded`): SQLite rewrites every index holding a column named in SET,
   * changed or not, so naming only the changed ones keeps an update cheap.
   */
  #writeJob(row: JobRow): void {
    if (row.seq === null) {
      row.seq = Number(
        this.#statements.insertJob.run(JOB_COLUMNS.map((c) => row[c])).lastInsertRowid,
      );
      this.#loaded.set(row, { ...row });
      return;
    }
    const before = this.#loaded.get(row);
    const columns = UPDATABLE.filter((c) => before === undefined || before[c] !== row[c]);
    if (columns.length === 0) return;
    const key = columns.join(',');
    let update = this.#updates.get(key);
    if (!update) {
      update = this.db.prepare(
        `UPDATE jobs SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`,
      );
      this.#updates.set(key, update);
    }
    const params: unknown[] = columns.map((c) => row[c]);
    params.push(row.seq);
    update.run(params);
    this.#loaded.set(row, { ...row });
  }

  /** Reads a job row and remembers it as read, for {@link #writeJob}. */
  #read(queue: string, id: string): JobRow | undefined {
    const row = this.#get(queue, id);
    if (row) this.#loaded.set(row, { ...row });
    return row;
  }

  #get(queue: string, id: string): JobRow | undefined {
    const values = this.#statements.getJob.get(queue, id);
    return values === undefined ? undefined : rowOf(values);
  }

  #heartbeat(event: Extract<CollectorEvent, { type: 'heartbeat' }>, now: number): void {
    this.#statements.heartbeat.run({
      id: event.worker,
      name: event.name ?? null,
      host: event.host ?? null,
      pid: event.pid ?? null,
      queues: JSON.stringify(event.queues),
      concurrency: event.concurrency ?? null,
      active_jobs: event.activeJobs ?? null,
      started_at: event.startedAt ?? null,
      // The collector's clock: a worker's skewed clock must not make it look dead or immortal.
      last_seen: now,
      stopping: event.stopping ? 1 : 0,
    });
  }

  #commandResult(
    event: Extract<CollectorEvent, { type: 'command-result' }>,
    now: number,
    rows: Map<string, JobRow>,
    stateBefore: Map<JobRow, JobState | null>,
  ): void {
    const s = this.#statements;
    const command = s.getCommand.get(event.commandId);
    if (command?.state !== 'open') return;
    s.finishCommand.run(
      event.ok ? 'done' : 'refused',
      now,
      event.message ?? null,
      event.worker,
      command.id,
      'open',
    );
    const key = `${command.queue}\u0000${command.job_id}`;
    let row = rows.get(key);
    if (!row) {
      row = this.#read(command.queue, command.job_id);
      if (!row) return;
      rows.set(key, row);
      stateBefore.set(row, row.state);
    }
    if (row.pending !== command.type) return;
    if (event.ok && event.retriedAs !== undefined && command.type === 'retry') {
      // Run again as a new job: the old one keeps its own story, and says where it went.
      this.#refold(row, now);
      row.native = `${row.native} · retried as ${event.retriedAs}`;
      return;
    }
    if (event.ok) {
      row.native = command.type === 'retry' ? 'retry sent' : 'cancelled';
      row.pending = null;
      row.updated_at = now;
      return;
    }
    this.#refold(row, now);
  }

  /** Works a job out again from its stored events alone (a command was refused). */
  #refold(row: JobRow, now: number): void {
    const events = this.#statements.jobEvents
      .all(row.queue, row.id)
      .map((e) => JSON.parse(e.body) as JobEvent);
    const fresh = events.length > 0 ? newJobRow(events[0]!, now) : null;
    if (!fresh) return;
    for (const event of events) applyEvent(fresh, event, now);
    Object.assign(row, { ...fresh, seq: row.seq, created_at: row.created_at });
  }

  // ---------------------------------------------------------------- actions

  /** The job row, or undefined. */
  job(queue: string, id: string): JobRow | undefined {
    return this.#get(queue, id);
  }

  /**
   * Asks workers to retry or cancel a job: the command is stored and the job
   * shows the outcome at once, pending until a worker confirms. Returns the
   * row, or a reason it cannot be done.
   */
  requestCommand(
    queue: string,
    id: string,
    type: 'retry' | 'cancel',
  ): { row: JobRow } | { conflict: string } | undefined {
    return this.db.transaction(() => {
      const row = this.#read(queue, id);
      if (!row) return undefined;
      const refusal = commandRefusal(row, type);
      if (refusal) return { conflict: refusal };
      this.#command(row, type, this.#now());
      this.#writeJob(row);
      return { row };
    })();
  }

  #command(row: JobRow, type: 'retry' | 'cancel', now: number): void {
    this.#statements.insertCommand.run(randomUUID(), type, row.queue, row.id, row.attempt, now);
    row.pending = type;
    row.updated_at = now;
    if (type === 'retry') {
      row.state = 'waiting';
      row.native = 'retry pending';
      row.d_attempt = row.attempt + 1;
      row.d_step = RETRY_STEP;
      row.finished_at = null;
    } else {
      row.state = 'cancelled';
      row.native = 'cancel pending';
      row.d_step = 3;
      row.finished_at = now;
    }
    row.d_time = now;
  }

  /** Removes a job, its events and its open commands. */
  removeJob(queue: string, id: string): boolean {
    return this.db.transaction(() => {
      const row = this.#get(queue, id);
      if (!row) return false;
      this.#deleteRow(row.seq!, queue, id);
      return true;
    })();
  }

  #deleteRow(seq: number, queue: string, id: string): void {
    const s = this.#statements;
    s.deleteJobEvents.run(queue, id);
    s.deleteJob.run(seq);
    s.dropJobCommands.run(this.#now(), queue, id);
  }

  /**
   * Retries every job of `state` in `queue`, `batch` jobs per transaction,
   * yielding between transactions. Returns how many it asked to retry.
   */
  async retryAll(queue: string, state: JobState, batch = 500): Promise<number> {
    let affected = 0;
    let after = 0;
    const next = this.db.prepare<[string, string, number, number], JobRow>(
      'SELECT * FROM jobs WHERE queue = ? AND state = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    for (;;) {
      const done = this.db.transaction(() => {
        const rows = next.all(queue, state, after, batch);
        const now = this.#now();
        for (const row of rows) {
          after = row.seq!;
          if (commandRefusal(row, 'retry')) continue;
          this.#command(row, 'retry', now);
          this.#writeJob(row);
          affected++;
        }
        return rows.length < batch;
      })();
      if (done) return affected;
      await yieldToRequests();
    }
  }

  /**
   * Deletes up to `limit` finished jobs of `state` (any finished state when
   * null) that finished over `olderThanMs` ago, oldest first, in small
   * transactions.
   */
  async clean(
    queue: string | null,
    state: JobState | null,
    olderThanMs: number,
    limit: number,
    batch = 500,
  ): Promise<number> {
    const cutoff = this.#now() - olderThanMs;
    const pick = this.db.prepare<unknown[], { seq: number; queue: string; id: string }>(
      `SELECT seq, queue, id FROM jobs WHERE finished_at IS NOT NULL AND finished_at <= ?
         ${queue === null ? '' : 'AND queue = ?'}
         ${state === null ? `AND state IN (${TERMINAL.map((s) => `'${s}'`).join(', ')})` : 'AND state = ?'}
       ORDER BY finished_at LIMIT ?`,
    );
    let removed = 0;
    while (removed < limit) {
      const take = Math.min(batch, limit - removed);
      const n = this.db.transaction(() => {
        const params: unknown[] = [cutoff];
        if (queue !== null) params.push(queue);
        if (state !== null) params.push(state);
        params.push(take);
        const rows = pick.all(...params);
        for (const row of rows) this.#deleteRow(row.seq, row.queue, row.id);
        return rows.length;
      })();
      removed += n;
      if (n < take) break;
      await yieldToRequests();
    }
    return removed;
  }

  /** Forgets a queue: its jobs, events, commands and the queue itself. */
  async obliterate(queue: string): Promise<number> {
    const removed = await this.clean(queue, null, -Infinity, Number.MAX_SAFE_INTEGER);
    const rest = await this.#removeAll(queue);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM commands WHERE queue = ?').run(queue);
      this.db.prepare('DELETE FROM counts WHERE queue = ?').run(queue);
      this.db.prepare('DELETE FROM queues WHERE name = ?').run(queue);
    })();
    return removed + rest;
  }

  async #removeAll(queue: string): Promise<number> {
    const pick = this.db.prepare<[string], { seq: number; id: string }>(
      'SELECT seq, id FROM jobs WHERE queue = ? LIMIT 500',
    );
    let removed = 0;
    for (;;) {
      const n = this.db.transaction(() => {
        const rows = pick.all(queue);
        for (const row of rows) this.#deleteRow(row.seq, queue, row.id);
        return rows.length;
      })();
      removed += n;
      if (n === 0) return removed;
      await yieldToRequests();
    }
  }

  // -------------------------------------------------------------- commands

  /** Hands open commands of `queues` to `worker`, leased for {@link COMMAND_LEASE_MS}. */
  claimCommands(worker: string, queues: readonly string[], limit = 100): IngestCommand[] {
    if (queues.length === 0) return [];
    return this.db.transaction(() => {
      const now = this.#now();
      const rows = this.db
        .prepare<[string, number, number], CommandRow & { name: string; data: string | null }>(
          `SELECT c.*, j.name AS name, j.data AS data FROM commands c
             JOIN jobs j ON j.queue = c.queue AND j.id = c.job_id
           WHERE c.state = 'open' AND c.queue IN (SELECT value FROM json_each(?))
             AND (c.leased_until IS NULL OR c.leased_until <= ?)
           ORDER BY c.seq LIMIT ?`,
        )
        .all(JSON.stringify(queues), now, limit);
      const lease = this.db.prepare(
        'UPDATE commands SET worker = ?, leased_until = ? WHERE seq = ?',
      );
      return rows.map((row) => {
        lease.run(worker, now + COMMAND_LEASE_MS, row.seq);
        return {
          id: row.id,
          type: row.type,
          queue: row.queue,
          jobId: row.job_id,
          name: row.name,
          data: row.data === null ? null : JSON.parse(row.data),
          attempt: row.attempt,
          createdAt: row.created_at,
        };
      });
    })();
  }

  // ---------------------------------------------------------- housekeeping

  /**
   * Marks running jobs abandoned when their worker stopped, or missed its
   * heartbeats for `timeoutMs`, or never sent one and the job has been quiet
   * that long; and moves delayed jobs whose time has come to waiting.
   */
  sweep(timeoutMs: number, missedHeartbeats = true): StoreChange[] {
    return this.db.transaction(() => {
      const now = this.#now();
      // Without missed heartbeats (just after a restart) only workers that said they stop count.
      const stale = missedHeartbeats ? now - timeoutMs : Number.NEGATIVE_INFINITY;
      const rows = this.db
        .prepare<[number, number], JobRow>(
          `SELECT j.* FROM jobs j LEFT JOIN workers w ON w.id = j.worker
           WHERE j.state = 'active' AND (
             (w.id IS NOT NULL AND (w.stopping = 1 OR w.last_seen < ?))
             OR (w.id IS NULL AND j.updated_at < ?))`,
        )
        .all(stale, stale);
      const changes: StoreChange[] = [];
      for (const row of rows) {
        row.state = 'abandoned';
        row.native = 'abandoned';
        row.finished_at = now;
        row.d_step = 1;
        row.d_time = now;
        row.updated_at = now;
        this.#writeJob(row);
        changes.push({ queue: row.queue, jobId: row.id, state: 'abandoned', name: row.name });
      }
      const due = this.db
        .prepare<[number], JobRow>(
          "SELECT * FROM jobs WHERE state = 'delayed' AND delay_until <= ? LIMIT 10000",
        )
        .all(now);
      for (const row of due) {
        row.state = 'waiting';
        row.updated_at = now;
        this.#writeJob(row);
        changes.push({ queue: row.queue, jobId: row.id, state: 'waiting', name: row.name });
      }
      return changes;
    })();
  }

  /** Forgets workers not seen for `olderThanMs`. */
  forgetWorkers(olderThanMs: number): void {
    this.db.prepare('DELETE FROM workers WHERE last_seen < ?').run(this.#now() - olderThanMs);
    this.db
      .prepare("DELETE FROM commands WHERE state != 'open' AND finished_at < ?")
      .run(this.#now() - olderThanMs);
  }

  /**
   * Brings the full-text index up to date with the jobs written since the
   * last call, at most `limit` of them in one transaction. Returns how many
   * it indexed; call again while it returns `limit`.
   */
  indexText(limit = 20_000): number {
    return this.db.transaction(() => {
      const pending = this.db
        .prepare<[number], { seq: number }>('SELECT seq FROM fts_pending ORDER BY seq LIMIT ?')
        .all(limit);
      if (pending.length === 0) return 0;
      const last = pending.at(-1)!.seq;
      const first = pending[0]!.seq;
      this.db
        .prepare(
          'DELETE FROM jobs_fts WHERE rowid IN (SELECT seq FROM fts_pending WHERE seq BETWEEN ? AND ?)',
        )
        .run(first, last);
      this.db
        .prepare(
          `INSERT INTO jobs_fts (rowid, data, error)
           SELECT j.seq, j.data, j.error FROM fts_pending p JOIN jobs j ON j.seq = p.seq
           WHERE p.seq BETWEEN ? AND ? AND (j.data IS NOT NULL OR j.error IS NOT NULL)`,
        )
        .run(first, last);
      this.db.prepare('DELETE FROM fts_pending WHERE seq BETWEEN ? AND ?').run(first, last);
      return pending.length;
    })();
  }

  /** How many jobs the store holds in all. */
  totalJobs(): number {
    return (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM counts').get() as { n: number })
      .n;
  }

  // ------------------------------------------------------------------ audit

  appendAudit(entry: AuditEntry, cap: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO audit (at, entry) VALUES (?, ?)')
        .run(entry.at, JSON.stringify(entry));
      this.db.prepare('DELETE FROM audit WHERE seq <= (SELECT max(seq) FROM audit) - ?').run(cap);
    })();
  }

  listAudit(before: number | undefined, limit: number): AuditEntry[] {
    const rows = this.db
      .prepare<[number, number], { entry: string }>(
        'SELECT entry FROM audit WHERE at < ? ORDER BY at DESC, seq DESC LIMIT ?',
      )
      .all(before ?? Number.MAX_SAFE_INTEGER, limit);
    return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Why a job cannot take a command now, or undefined when it can. */
function commandRefusal(row: JobRow, type: 'retry' | 'cancel'): string | undefined {
  if (row.pending) return `A ${row.pending} of this job is already waiting for a worker`;
  if (type === 'retry' && !['failed', 'completed', 'cancelled', 'abandoned'].includes(row.state)) {
    return `Only a finished job can be retried; this one is ${row.state}`;
  }
  if (type === 'cancel' && !['waiting', 'delayed', 'prioritized', 'active'].includes(row.state)) {
    return `Only a job that has not finished can be cancelled; this one is ${row.state}`;
  }
  return undefined;
}

/** Lets waiting requests and timers run between two transactions. */
export const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
