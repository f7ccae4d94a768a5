/**
 * Starts one throwaway PostgreSQL for the whole run, shared by both pg-boss
 * majors (vitest.config.ts declares this file at the root only, so it runs
 * once), and hands its URL to the tests: `inject('postgresUrl')`. Each test
 * file creates databases of its own in it. Never the developer's PostgreSQL,
 * and never a skip: without the server binaries the run fails, in CI and
 * locally alike, and says how to get them.
 */
import { startPostgres } from '@qadmin/test-fixtures';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://postgres@127.0.0.1:<port>/postgres` of the throwaway server every test file shares. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startPostgres().catch((error: unknown) => {
    throw new Error(`@qadmin/backend-pg-boss tests need a throwaway PostgreSQL: ${error}`, {
      cause: error,
    });
  });
  project.provide('postgresUrl', pg.url);
  return () => pg.stop();
}
