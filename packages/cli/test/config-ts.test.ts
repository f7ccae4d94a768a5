/**
 * `qadmin.config.ts`: loaded where Node strips types by itself (22.18+,
 * 23.6+), and refused with what to do where it does not (Node 20), instead
 * of a stack trace. The positive path runs the built command with a Node 22
 * from the npm registry, installed once into a cache under the temporary
 * directory; without network it is skipped here, and fails under CI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runQadmin, type Served, startServe } from './qadmin';

const run = promisify(execFile);

const running: Served[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((served) => served.stop()));
});

const TS_CONFIG = `import type { QadminConfig } from '@qadmin/cli';

const title: string = process.env.DASHBOARD_TITLE ?? 'untitled';
const config: QadminConfig = { demo: true, title };
export default config;
`;

function configDir(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qadmin-config-ts-'));
  writeFileSync(join(dir, name), content);
  return dir;
}

describe('qadmin.config.ts on a Node that does not strip types', () => {
  // A newer Node running the suite is told not to, so that this runs on every Node.
  const env: Record<string, string> = (process.features as { typescript?: unknown }).typescript
    ? { NODE_OPTIONS: '--no-experimental-strip-types' }
    : {};

  for (const name of ['qadmin.config.ts', 'qadmin.config.mts']) {
    it(`exits 2 naming ${name} and what to do, without a stack`, async () => {
      const cwd = configDir(name, TS_CONFIG);
      const result = await runQadmin(['serve', '--port', '0'], { cwd, env });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `qadmin serve: config file ${join(cwd, name)}: Node ${process.versions.node} cannot load TypeScript: run qadmin with Node 22.18+ (or 23.6+), which strips types by itself, or write the config as qadmin.config.mjs or qadmin.config.json\n`,
      );
    });
  }
});

/** Node 22.18 is the first 22 to strip types without a flag. */
const NODE_RANGE = '^22.18.0';
const NODE_CACHE = join(tmpdir(), 'qadmin-cli-test-node22');
// The binary package itself, not `node`: that one fetches it from an install script, which
// newer npm releases hold back until allowed.
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;
const NODE_BINARY = join(NODE_CACHE, 'node_modules', NODE_PACKAGE, 'bin', 'node');

async function stripsTypes(binary: string): Promise<boolean> {
  try {
    const { stdout } = await run(binary, ['-p', 'process.features.typescript']);
    return stdout.trim() === 'strip';
  } catch {
    return false;
  }
}

/** A Node that strips types: from the cache, else installed from the npm registry into it. */
async function nodeThatStripsTypes(): Promise<string> {
  if (existsSync(NODE_BINARY) && (await stripsTypes(NODE_BINARY))) return NODE_BINARY;
  rmSync(NODE_CACHE, { recursive: true, force: true });
  // Installed beside the cache and moved in whole: a run interrupted mid-install leaves no half.
  const staging = mkdtempSync(`${NODE_CACHE}-`);
  try {
    writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
    await run(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        // Retries for a flaky network, without a minute's wait where there is none.
        '--fetch-retries=2',
        '--fetch-retry-mintimeout=2000',
        '--fetch-retry-maxtimeout=10000',
        `${NODE_PACKAGE}@${NODE_RANGE}`,
      ],
      { cwd: staging, timeout: 180_000 },
    );
    try {
      renameSync(staging, NODE_CACHE);
    } catch {
      // Another run installed it meanwhile: theirs is as good.
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!(await stripsTypes(NODE_BINARY))) {
    throw new Error(`${NODE_BINARY} from ${NODE_PACKAGE}@${NODE_RANGE} does not strip types`);
  }
  return NODE_BINARY;
}

describe('qadmin.config.ts on Node 22.18+', () => {
  let node: string | undefined;
  let unavailable: string | undefined;

  beforeAll(async () => {
    try {
      node = await nodeThatStripsTypes();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (process.env.CI === 'true') {
        throw new Error(
          `could not install ${NODE_PACKAGE}@${NODE_RANGE} from the npm registry for the qadmin.config.ts tests: ${reason}`,
        );
      }
      // npm's own first complaint says more than "Command failed: npm install ...".
      const npmSaid = (error as { stderr?: string }).stderr
        ?.split('\n')
        .find((line) => line.trim());
      unavailable = `no ${NODE_PACKAGE}@${NODE_RANGE} from the npm registry (${npmSaid ?? reason.split('\n')[0]}); this fails under CI`;
    }
  }, 200_000);

  it('loads the config, its types stripped', async (context) => {
    if (unavailable) context.skip(unavailable);
    const cwd = configDir('qadmin.config.ts', TS_CONFIG);
    const served = await startServe(['--port', '0'], {
      cwd,
      node: node!,
      env: { DASHBOARD_TITLE: 'From TypeScript' },
    });
    running.push(served);
    expect(served.output()).toContain(`config file ${join(cwd, 'qadmin.config.ts')}`);
    const openapi = (await (await fetch(`${served.url}api/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(openapi.info.title).toBe('From TypeScript');
  });

  it('refuses TypeScript that Node cannot strip, saying why (exit 2)', async (context) => {
    if (unavailable) context.skip(unavailable);
    const cwd = configDir(
      'qadmin.config.mts',
      'enum Source { Demo }\nexport default { demo: Source.Demo === 0 };\n',
    );
    const result = await runQadmin(['serve', '--port', '0'], { cwd, node: node! });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^qadmin serve: config file .*qadmin\.config\.mts: .*enum.* \(Node only strips types: enums, namespaces and parameter properties need a build step\)\n$/,
    );
  });
});
