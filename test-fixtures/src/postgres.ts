import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directories, freePort, HOST, installExitHook, spawnTracked, terminate } from './processes';

/**
 * A PostgreSQL cluster started by {@link startPostgres}: a fresh `initdb` data
 * directory in a temporary folder, its `postgres` server a child of this
 * process on its own port, trust authentication for the `postgres` user.
 *
 * @example
 * ```ts
 * const pg: ThrowawayPostgres = await startPostgres();
 * const url = await pg.createDatabase('jobs'); // postgres://postgres@127.0.0.1:<port>/jobs
 * await pg.kill(); // PostgreSQL disappears abruptly (immediate shutdown)
 * await pg.start(); // and comes back on the same port, with its data
 * await pg.stop();
 * ```
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  host: string;
  /** Creates a database (dropping one of that name first) and resolves with its URL. */
  createDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast shutdown), waits for it to exit and removes its data. */
  stop(): Promise<void>;
  /**
   * Ends the server with an immediate shutdown (SIGQUIT: connections are cut,
   * nothing is flushed) and waits for it to exit; the data stays.
   */
  kill(): Promise<void>;
  /**
   * Starts the server again on the same port and data after
   * {@link ThrowawayPostgres.kill}; it recovers what was committed. Does
   * nothing while it runs.
   */
  start(): Promise<void>;
}

/**
 * Options of {@link startPostgres}.
 *
 * @example
 * ```ts
 * const pg = await startPostgres({ settings: { max_connections: '200' } });
 * ```
 */
export interface StartPostgresOptions {
  /** Port to listen on (default: a free port). Fails if it is taken. */
  port?: number;
  /** Extra server settings (`-c name=value`), after the throwaway defaults. */
  settings?: Record<string, string>;
}

const READY_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

/**
 * Starts a throwaway PostgreSQL: `initdb` into an empty temporary directory
 * (as the `postgres` user when this process is root, since PostgreSQL refuses
 * to run as root), then the `postgres` server as a child of this process on
 * `127.0.0.1` and a free port, with `fsync` and `full_page_writes` off
 * because nothing here must survive a crash of the machine (a commit still
 * reaches the operating system, so it survives {@link ThrowawayPostgres.kill}). Resolves once it accepts a connection. The binaries
 * are the newest under `/usr/lib/postgresql/<version>/bin`, or `PG_BIN`, or
 * `PATH`. Never touches a PostgreSQL already running on the machine; a server
 * left running is killed when this process exits.
 *
 * @example
 * ```ts
 * import { startPostgres } from '@qadmin/test-fixtures';
 *
 * const pg = await startPostgres();
 * const boss = new PgBoss(await pg.createDatabase('boss'));
 * // ...
 * await boss.stop();
 * await pg.stop();
 * ```
 */
export async function startPostgres(
  options: StartPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  installExitHook();
  const bin = postgresBin();
  const owner = serverOwner();
  const dir = mkdtempSync(join(tmpdir(), 'qadmin-postgres-'));
  directories.add(dir);
  const data = join(dir, 'data');
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      { stdio: 'pipe', ...(owner ?? {}) },
    );
  } catch (error) {
    removeDir(dir);
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(
      `startPostgres: initdb failed${postgresHint(bin)}: ${(error as Error).message}\n${stderr}`,
      { cause: error },
    );
  }

  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  const isRunning = () =>
    child !== undefined && child.exitCode === null && child.signalCode === null;
  const launch = async () => {
    child = await spawnReady(bin, data, dir, port, options.settings ?? {}, owner);
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      const portTaken = error instanceof Error && /already in use/i.test(error.message);
      if (options.port !== undefined || !portTaken || attempt >= PORT_ATTEMPTS) {
        removeDir(dir);
        throw error;
      }
      port = await freePort();
    }
  }
  const base = `postgres://postgres@${HOST}:${port}`;
  const end = async (signal: NodeJS.Signals) => {
    if (child && isRunning()) await terminate(child, signal);
    child = undefined;
  };
  return {
    url: `${base}/postgres`,
    port,
    host: HOST,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
        throw new TypeError(`createDatabase: ${JSON.stringify(name)} is not a plain database name`);
      }
      await runSql(bin, port, dir, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, owner);
      await runSql(bin, port, dir, `CREATE DATABASE ${name}`, owner);
      return `${base}/${name}`;
    },
    async stop() {
      // SIGINT: fast shutdown (connections rolled back, a checkpoint, exit).
      await end('SIGINT');
      removeDir(dir);
    },
    kill: () => end('SIGQUIT'),
    async start() {
      if (!isRunning()) await launch();
    },
  };
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  directories.delete(dir);
}

/** `PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian), else `PATH`. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return '';
}

function postgresHint(bin: string): string {
  return bin
    ? ` (binaries in ${bin})`
    : ' (install the postgresql package, e.g. apt-get install -y postgresql, or set PG_BIN to its bin directory)';
}

/** The `postgres` user's ids when this process is root (initdb and postgres refuse root), else null. */
function serverOwner(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'startPostgres: running as root, and there is no postgres user to run PostgreSQL as (install the postgresql package)',
    );
  }
}

/** Spawns `postgres` on `port` and resolves once it accepts connections; kills it and rejects otherwise. */
async function spawnReady(
  bin: string,
  data: string,
  socketDir: string,
  port: number,
  settings: Record<string, string>,
  owner: { uid: number; gid: number } | null,
): Promise<ChildProcess> {
  const all: Record<string, string> = {
    listen_addresses: HOST,
    unix_socket_directories: socketDir,
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...settings,
  };
  const args = ['-D', data, '-p', String(port)];
  for (const [name, value] of Object.entries(all)) args.push('-c', `${name}=${value}`);
  const binary = join(bin, 'postgres');
  const { child, output } = spawnTracked(binary, args, owner ?? {});
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(`startPostgres: could not run ${binary}${postgresHint(bin)}: ${error.message}`),
      ),
    );
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `startPostgres: postgres on port ${port} exited (${signal ?? code}) before accepting connections:\n${output()}`,
        ),
      ),
    );
  });
  failed.catch(() => {});
  try {
    await Promise.race([failed, waitUntilReady(bin, port, socketDir, owner)]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) await terminate(child, 'SIGKILL');
    if (error instanceof Error && error.message.startsWith('startPostgres:')) throw error;
    throw new Error(`startPostgres: postgres on port ${port} did not start: ${error}\n${output()}`);
  }
  return child;
}

/** Polls until the server is listening on the TCP port and `SELECT 1` succeeds over its own socket. */
async function waitUntilReady(
  bin: string,
  port: number,
  socketDir: string,
  owner: { uid: number; gid: number } | null,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: unknown = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      // The socket in our own directory proves the server is ours, not
      // whatever else answers on the port.
      await runSql(bin, port, socketDir, 'SELECT 1', owner);
      if (await tcpOpen(port)) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS} ms, last: ${last}`);
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs one SQL statement with `psql` over the server's Unix socket in `socketDir`. */
function runSql(
  bin: string,
  port: number,
  socketDir: string,
  sql: string,
  owner: { uid: number; gid: number } | null,
): Promise<void> {
  const psql = bin && existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
  return new Promise((resolve, reject) => {
    const child = spawn(
      psql,
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        socketDir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-c',
        sql,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr.trim()}`)),
    );
  });
}
