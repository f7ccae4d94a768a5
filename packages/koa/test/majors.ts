/**
 * The Koa majors every test file runs against, each with the version its
 * alias really resolved to, so the matrix cannot test one major twice.
 */
import { createRequire } from 'node:module';
import type Koa from 'koa';
import KoaV2 from 'koa-v2';
import KoaV3 from 'koa-v3';

const require = createRequire(import.meta.url);

export interface KoaMajor {
  major: number;
  /** The installed version, read from the aliased package. */
  version: string;
  Koa: typeof Koa;
}

export const KOA_MAJORS: KoaMajor[] = [
  { major: 2, version: require('koa-v2/package.json').version, Koa: KoaV2 },
  { major: 3, version: require('koa-v3/package.json').version, Koa: KoaV3 },
];

/** The major of a semver version string. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}
