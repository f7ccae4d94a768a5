/**
 * Starts one throwaway Redis for the whole run, shared by both BullMQ majors
 * (vitest.config.ts declares this file at the root only, so it runs once), and
 * hands its URL to the tests: `inject('redisUrl')`. Never the developer's
 * Redis, and never a skip: without redis-server the run fails, in CI and
 * locally alike, and says how to get it.
 */
import { startRedis } from '@qadmin/test-fixtures';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the throwaway Redis every test file shares. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis().catch((error: unknown) => {
    throw new Error(`@qadmin/backend-bullmq tests need a throwaway Redis: ${error}`, {
      cause: error,
    });
  });
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
