/**
 * Starts one throwaway Redis Cluster (three masters) for the whole run, shared
 * by both BullMQ majors like the Redis of test/global-setup.ts, and hands its
 * nodes to the tests: `inject('redisCluster')`. Each test works under hash
 * tags of its own, so the majors never share a key. Without redis-server or
 * redis-cli the run fails and says how to get them.
 */
import { startRedisCluster } from '@qadmin/test-fixtures';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The masters of the throwaway Redis Cluster every test file shares. */
    redisCluster: { host: string; port: number }[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster().catch((error: unknown) => {
    throw new Error(`@qadmin/backend-bullmq tests need a throwaway Redis Cluster: ${error}`, {
      cause: error,
    });
  });
  project.provide('redisCluster', cluster.nodes);
  return () => cluster.stop();
}
