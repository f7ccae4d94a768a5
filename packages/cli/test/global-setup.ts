/**
 * One throwaway Redis for the whole run, handed to the tests with `inject`
 * (test/sources.test.ts starts its own PostgreSQL, the only file to need one). Never the developer's servers, and never a
 * skip: without the server binaries the run fails and says why. The built
 * `bin/qadmin.mjs` loads `dist`, so a missing build fails here, not as a
 * puzzling timeout later.
 */
import { existsSync } from 'node:fs';
import { startRedis } from '@qadmin/test-fixtures';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    throw new Error('@qadmin/cli tests run the built command: run `pnpm build` (or turbo) first');
  }
  const redis = await startRedis().catch((error: unknown) => {
    throw new Error(`@qadmin/cli tests need a throwaway Redis: ${error}`, { cause: error });
  });
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
