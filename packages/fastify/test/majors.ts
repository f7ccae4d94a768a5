/**
 * The Fastify majors the adapter supports, each imported through its own
 * npm alias. The adapter itself never imports `fastify` at runtime, so each
 * test builds its host app from the major it is given.
 */
import fastifyV4 from 'fastify-v4';
import fastifyV4Package from 'fastify-v4/package.json' with { type: 'json' };
import fastifyV5 from 'fastify-v5';
import fastifyV5Package from 'fastify-v5/package.json' with { type: 'json' };

/** Builds a host app: `fastify()` of one major, typed as the one the adapter compiles against. */
export type MakeFastify = typeof fastifyV5;

export interface FastifyMajor {
  /** The major this entry is meant to test: `4` or `5`. */
  expected: number;
  /** The installed version the alias resolved to. */
  version: string;
  fastify: MakeFastify;
}

export const MAJORS: FastifyMajor[] = [
  // Fastify 4's types differ from 5's in generics only; at runtime the plugin API is the same.
  { expected: 4, version: fastifyV4Package.version, fastify: fastifyV4 as unknown as MakeFastify },
  { expected: 5, version: fastifyV5Package.version, fastify: fastifyV5 },
];

/** The major of a semver version string. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}
