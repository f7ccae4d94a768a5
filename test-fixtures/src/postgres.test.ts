import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type ThrowawayPostgres } from './postgres';

/** `SELECT <sql>` over TCP with psql, as a client of the server would connect. */
function query(url: string, sql: string): string {
  return execFileSync('psql', ['-X', '-At', '-d', url, '-c', sql], { encoding: 'utf8' }).trim();
}

function refused(url: string): boolean {
  try {
    query(url, 'SELECT 1');
    return false;
  } catch {
    return true;
  }
}

describe('startPostgres', () => {
  let pg: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await pg?.stop();
  });

  // Real processes: initdb and a server start take seconds on a busy machine.
  it('starts a server on a free port, creates databases, and keeps committed data across a kill', {
    timeout: 120_000,
  }, async () => {
    pg = await startPostgres();
    expect(pg.host).toBe('127.0.0.1');
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/postgres`);
    expect(pg.port).not.toBe(5432);
    expect(query(pg.url, 'SHOW fsync')).toBe('off');

    const url = await pg.createDatabase('fixture_test');
    expect(url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/fixture_test`);
    query(url, 'CREATE TABLE t (n int); INSERT INTO t VALUES (42)');
    // Creating it again gives an empty one.
    await pg.createDatabase('fixture_test');
    expect(query(url, "SELECT to_regclass('t') IS NULL")).toBe('t');
    query(url, 'CREATE TABLE t (n int); INSERT INTO t VALUES (7)');

    await pg.kill();
    expect(refused(url)).toBe(true);
    await pg.start();
    await pg.start();
    expect(query(url, 'SELECT n FROM t')).toBe('7');

    await pg.stop();
    expect(refused(url)).toBe(true);
    pg = undefined;
  });

  it('refuses a database name that is not a plain identifier', { timeout: 120_000 }, async () => {
    const server = await startPostgres();
    try {
      await expect(server.createDatabase('x; DROP DATABASE postgres')).rejects.toThrow(
        /not a plain database name/,
      );
    } finally {
      await server.stop();
    }
  });
});
