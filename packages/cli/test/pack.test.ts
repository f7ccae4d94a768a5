/**
 * The published shape, not the workspace: @qadmin/cli and the workspace
 * packages it depends on are packed with `pnpm pack` (which rewrites their
 * `workspace:^` specs to versions), installed with npm into an empty folder
 * outside the repository (the third-party dependencies come from the
 * registry), and the installed `qadmin` must answer `--help`, serve the demo
 * and talk to it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
/** @qadmin/cli and every workspace package it depends on, directly or not. */
const WORKSPACE = [
  'core',
  'client',
  'ui',
  'backend-memory',
  'backend-bullmq',
  'backend-pg-boss',
  'backend-collector',
  'cli',
];

/**
 * npm and npx without what pnpm (which runs vitest) puts in the environment
 * for itself; a registry or cache set in npm_config_* stays.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const pnpmOwn =
    /^(pnpm_|QADMIN_|npm_command$|npm_execpath$|npm_node_execpath$|npm_lifecycle_|npm_package_|npm_config_user_agent$|npm_config_verify_deps_before_run$)/i;
  for (const [name, value] of Object.entries(process.env)) {
    if (!pnpmOwn.test(name)) env[name] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}

const root = mkdtempSync(join(tmpdir(), 'qadmin-pack-'));
let serving: ChildProcess | undefined;
afterAll(async () => {
  if (serving && serving.exitCode === null && serving.signalCode === null) {
    serving.kill('SIGKILL');
    await once(serving, 'exit');
  }
  rmSync(root, { recursive: true, force: true });
});

describe('@qadmin/cli as published', () => {
  it(
    'installs from `pnpm pack` tarballs into an empty folder, and `npx qadmin --help` and `qadmin serve --demo` work',
    async () => {
      const tarballs = join(root, 'tarballs');
      const app = join(root, 'app');
      mkdirSync(tarballs);
      mkdirSync(app);

      for (const name of WORKSPACE) {
        const cwd = join(PACKAGES, name);
        await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd, env: npmEnv() }).catch(
          (error: { stderr?: string }) => {
            throw new Error(`pnpm pack failed in packages/${name}: ${error.stderr ?? error}`);
          },
        );
      }
      const files = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
      expect(files).toHaveLength(WORKSPACE.length);
      for (const file of files) {
        // pnpm packs a package whatever its build state: one without dist would install and then fail.
        const { stdout } = await run('tar', ['-tzf', join(tarballs, file)]);
        expect(stdout, `${file} holds a built dist/ (run the build first)`).toMatch(
          /^package\/dist\/index\.js$/m,
        );
        const manifest = JSON.parse(
          (await run('tar', ['-xzOf', join(tarballs, file), 'package/package.json'])).stdout,
        ) as Record<string, Record<string, string> | undefined>;
        for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
          for (const spec of Object.values(manifest[field] ?? {})) {
            expect(spec, `${file} ${field}`).not.toMatch(/^workspace:/);
          }
        }
      }

      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'qadmin-pack-check', private: true, version: '1.0.0' }),
      );
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          ...files.map((file) => join(tarballs, file)),
        ],
        { cwd: app, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 },
      ).catch((error: { stderr?: string }) => {
        throw new Error(`npm install of the tarballs failed: ${error.stderr ?? error}`);
      });
      // Every @qadmin package came from a tarball, none from the registry.
      const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { resolved?: string }>;
      };
      for (const name of WORKSPACE) {
        expect(lock.packages[`node_modules/@qadmin/${name}`]?.resolved, name).toMatch(/^file:/);
      }

      // --no: never fetch a package named qadmin from the registry when the local bin is missing.
      const help = await run('npx', ['--no', '--', 'qadmin', '--help'], {
        cwd: app,
        env: npmEnv(),
      });
      expect(help.stdout).toMatch(/^Usage: qadmin <command> \[flags\]/);
      expect(help.stdout).toContain('retry-all <queue>');

      const bin = join(app, 'node_modules', '.bin', 'qadmin');
      const child = spawn(bin, ['serve', '--demo', '--port', '0'], {
        cwd: app,
        env: npmEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      serving = child;
      let output = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 30 s:\n${output}`)), 30_000);
        child.once('exit', (code) =>
          reject(new Error(`qadmin serve exited with ${code}:\n${output}`)),
        );
        child.stdout!.on('data', () => {
          const match = /dashboard at (http:\/\/\S+)[\s\S]*stops it/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const health = await fetch(`${url}api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(await page.text()).toMatch(/<script type="module" src="assets\/app-[^"]+\.js">/);

      // The scripting commands reach it through the installed @qadmin/client.
      const queues = await run(bin, ['queues', '--url', url], { cwd: app, env: npmEnv() });
      expect(queues.stdout).toMatch(/^QUEUE +WAITING/);
      expect(queues.stdout).toMatch(/^memory:emails +\d/m);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    },
    // npm fetches bullmq, pg-boss, lit, ... and builds better-sqlite3: minutes, not seconds.
    15 * 60_000,
  );
});
