import { type AuditEntry, type AuditQuery, auditEntrySchema } from '@qadmin/core';
import { ident } from './schema';
import type { Sql } from './sql';

/**
 * The audit trail in PostgreSQL: `<schema>.pgboss_audit` (qadmin's own schema,
 * `qadmin` by default, the one the metrics use), created on the first append
 * under a transaction-level advisory lock so two instances never race to
 * create it. Rows are per pg-boss schema (`source`), so every dashboard over
 * the same pg-boss reads the same trail. Every `min(cap, 100)` appends of an
 * instance, the rows of its source beyond the newest `cap` are deleted: the
 * table may hold a few more than `cap` between two trims.
 */
const TRIM_EVERY = 100;
/** PostgreSQL's "no such table" and "no such schema". */
const MISSING = new Set(['42P01', '3F000']);

const atOf = (param: string) =>
  `('epoch'::timestamptz + ${param}::bigint * interval '1 millisecond')`;

/** See the module comment. */
export class AuditTable {
  readonly #sql: Sql;
  readonly #source: string;
  readonly #schema: string;
  readonly #table: string;
  readonly #cap: number;
  readonly #trimEvery: number;
  #appended = 0;
  #ready: Promise<void> | undefined;

  constructor(sql: Sql, options: { source: string; schema: string; cap: number }) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new TypeError(`Invalid audit schema name ${JSON.stringify(options.schema)}`);
    }
    if (!Number.isInteger(options.cap) || options.cap < 1) {
      throw new TypeError('auditCap must be a positive integer');
    }
    this.#sql = sql;
    this.#source = options.source;
    this.#schema = ident(options.schema);
    this.#table = `${this.#schema}.pgboss_audit`;
    this.#cap = options.cap;
    this.#trimEvery = Math.min(options.cap, TRIM_EVERY);
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#create();
    await this.#sql.query(
      `INSERT INTO ${this.#table} (source, at, entry) VALUES ($1, ${atOf('$2')}, $3::jsonb)`,
      [this.#source, entry.at, storableJson(entry)],
    );
    if (++this.#appended % this.#trimEvery === 0) await this.trim();
  }

  /** Deletes this source's rows beyond the newest `cap`. */
  async trim(): Promise<void> {
    await this.#sql.query(
      `DELETE FROM ${this.#table} WHERE id IN (
         SELECT id FROM ${this.#table} WHERE source = $1
         ORDER BY at DESC, id DESC OFFSET $2)`,
      [this.#source, this.#cap],
    );
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    let rows: { entry: unknown }[];
    try {
      rows = await this.#sql.query<{ entry: unknown }>(
        `SELECT entry FROM ${this.#table}
         WHERE source = $1 AND ($2::bigint IS NULL OR at < ${atOf('$2')})
         ORDER BY at DESC, id DESC LIMIT $3`,
        [this.#source, query.before ?? null, query.limit],
      );
    } catch (error) {
      // Nothing was ever recorded here: the table comes with the first entry.
      if (MISSING.has(String((error as { code?: unknown }).code))) return [];
      throw error;
    }
    return rows.flatMap((row) => {
      const parsed = auditEntrySchema.safeParse(row.entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  #create(): Promise<void> {
    // One simple query of several statements is one implicit transaction: the advisory
    // lock is held until it ends. Not a checked-out client: one that PostgreSQL drops while
    // this runs would emit an error nobody listens to.
    this.#ready ??= this.#sql
      .query(
        `SELECT pg_advisory_xact_lock(hashtext('qadmin:pgboss-audit'));
         CREATE SCHEMA IF NOT EXISTS ${this.#schema};
         CREATE TABLE IF NOT EXISTS ${this.#table} (
           id bigserial PRIMARY KEY, source text NOT NULL,
           at timestamptz NOT NULL, entry jsonb NOT NULL);
         CREATE INDEX IF NOT EXISTS pgboss_audit_source_at ON ${this.#table} (source, at DESC);`,
      )
      .then(
        () => {},
        (error: unknown) => {
          // PostgreSQL away: created on a later append.
          this.#ready = undefined;
          throw error;
        },
      );
    return this.#ready;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * An entry as JSON PostgreSQL's `jsonb` takes: it refuses the NUL character
 * and unpaired surrogates, which a job id or an error detail from a request
 * may hold. NUL becomes U+2400 (the symbol for it) and a lone surrogate
 * U+FFFD, so the entry is stored, readable, and says where a character was.
 */
function storableJson(entry: AuditEntry): string {
  return JSON.stringify(entry, (_key, value: unknown) =>
    typeof value === 'string'
      ? value.replaceAll('\u0000', '\u2400').replace(LONE_SURROGATE, '\ufffd')
      : value,
  );
}
