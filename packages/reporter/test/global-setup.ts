/**
 * One throwaway Redis and one throwaway PostgreSQL for the whole run, handed
 * to the tests with `inject`. Never the developer's servers, and never a
 * skip: without the server binaries the run fails and says why. The
 * child-process test runs the built `dist/index.js`, so a missing build fails
 * here, not as a puzzling timeout later.
 */
import { existsSync } from 'node:fs';
import { startPostgres, startRedis } from '@qadmin/test-fixtures';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the throwaway Redis. */
    redisUrl: string;
    /** `postgres://postgres@127.0.0.1:<port>/reporter` of a database in the throwaway PostgreSQL. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    throw new Error(
      '@qadmin/reporter tests run the built package in a child: run `pnpm build` first',
    );
  }
  const [redis, pg] = await Promise.all([
    startRedis().catch((error: unknown) => {
      throw new Error(`@qadmin/reporter tests need a throwaway Redis: ${error}`, { cause: error });
    }),
    startPostgres().catch((error: unknown) => {
      throw new Error(`@qadmin/reporter tests need a throwaway PostgreSQL: ${error}`, {
        cause: error,
      });
    }),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('postgresUrl', await pg.createDatabase('reporter'));
  return async () => {
    await Promise.all([redis.stop(), pg.stop()]);
  };
}
