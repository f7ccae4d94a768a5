/**
 * Databases for the tests: one per test file and purpose, created once in
 * the throwaway PostgreSQL that test/global-setup.ts started, with the pg-boss
 * major in its name so both projects can run side by side.
 */
import pg from 'pg';
import { PGBOSS_MAJOR } from './seed';

const created = new Map<string, Promise<string>>();

/** The URL of database `<purpose>_v<major>` in the server at `serverUrl`, created on first use. */
export function testDatabase(serverUrl: string, purpose: string): Promise<string> {
  const name = `${purpose}_v${PGBOSS_MAJOR}`;
  let url = created.get(name);
  if (!url) {
    url = (async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const target = new URL(serverUrl);
      target.pathname = `/${name}`;
      return target.toString();
    })();
    created.set(name, url);
  }
  return url;
}
