import type { Pool, PoolClient } from 'pg';

/**
 * How the backend talks to PostgreSQL: one pool, queries with their own
 * deadline, and transactions. Kept apart from the backend so that the
 * metrics sampler and the change poller use the same rules.
 */
export interface Sql {
  /** Runs one statement and resolves with its rows. */
  query<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Runs `work` in a transaction on one connection (rolled back when it throws). */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
}

/** An {@link Sql} over a `pg` pool. */
export function poolSql(pool: Pool): Sql {
  return {
    async query<R>(text: string, values?: readonly unknown[]) {
      const result = await pool.query(text, values as unknown[] | undefined);
      return result.rows as R[];
    },
    async transaction(work) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** Escapes `text` for a `LIKE`/`ILIKE` pattern (with the default `\` escape) and wraps it in `%`. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
