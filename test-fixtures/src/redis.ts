import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A `redis-server` started by {@link startRedis}: a child of this process on
 * its own port, in an empty temporary directory, persisting nothing.
 *
 * @example
 * ```ts
 * const redis: ThrowawayRedis = await startRedis();
 * const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
 * await redis.kill(); // Redis vanishes mid-test
 * await redis.start(); // and comes back, empty, on the same port
 * await redis.stop();
 * ```
 */
export interface ThrowawayRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  host: string;
  /** Shuts the server down with SIGTERM, waits for it to exit and removes its directory. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL and waits for it to exit: Redis disappears abruptly. */
  kill(): Promise<void>;
  /**
   * Starts the server again on the same port after {@link ThrowawayRedis.kill} or
   * {@link ThrowawayRedis.stop}; it comes back empty, as nothing is persisted.
   * Does nothing while it runs.
   */
  start(): Promise<void>;
}

/**
 * Options of {@link startRedis}.
 *
 * @example
 * ```ts
 * const redis = await startRedis({ port: 16379 });
 * ```
 */
export interface StartRedisOptions {
  /** Port to listen on (default: a free port). Fails if it is taken. */
  port?: number;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
/** Attempts with a freshly picked port, when another process takes the picked one first. */
const PORT_ATTEMPTS = 3;
const OUTPUT_LIMIT = 64 * 1024;

/** Servers still running, killed when this process exits normally so none outlives it. */
const running = new Set<ChildProcess>();
/** Directories of servers not stopped yet, removed when this process exits. */
const directories = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Starts a throwaway `redis-server` (the one on `PATH`, or `REDIS_SERVER`) as a
 * child process on `127.0.0.1` and a free port, with no persistence and an
 * empty temporary directory, and resolves once it answers `PING`. Rejects with
 * the server's output when it exits or stays silent for 10 seconds. Never
 * touches a Redis already running on the machine; a server left running is
 * killed when this process exits.
 *
 * @example
 * ```ts
 * import { startRedis } from '@qadmin/test-fixtures';
 *
 * const redis = await startRedis();
 * const queue = new Queue('emails', { connection: { url: redis.url } });
 * // ...
 * await queue.close();
 * await redis.stop();
 * ```
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<ThrowawayRedis> {
  installExitHook();
  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  const launch = async (): Promise<void> => {
    dir = mkdtempSync(join(tmpdir(), 'qadmin-redis-'));
    directories.add(dir);
    try {
      child = await spawnReady(port, dir);
    } catch (error) {
      removeDir(dir);
      throw error;
    }
  };
  const removeDir = (path: string): void => {
    rmSync(path, { recursive: true, force: true });
    directories.delete(path);
  };
  const isRunning = (): boolean =>
    child !== undefined && child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const ending = child;
    if (ending && isRunning()) await terminate(ending, signal);
    child = undefined;
    if (dir) removeDir(dir);
    dir = undefined;
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (options.port !== undefined || !portTaken || attempt >= PORT_ATTEMPTS) throw error;
      port = await freePort();
    }
  }

  return {
    url: `redis://${HOST}:${port}`,
    port,
    host: HOST,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async start() {
      if (!isRunning()) await launch();
    },
  };
}

/** A port nothing listens on right now: the one the OS hands out for port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('startRedis: could not pick a free port'));
      });
    });
  });
}

/** Spawns the server and resolves once it answers on `port`; kills it and rejects otherwise. */
async function spawnReady(port: number, dir: string): Promise<ChildProcess> {
  const binary = process.env.REDIS_SERVER || 'redis-server';
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  // The exit hook does not run when this process dies of a signal, as a vitest
  // fork does (SIGTERM) at the end of a run: on Linux, the kernel kills the
  // server when its parent dies (PR_SET_PDEATHSIG, set by util-linux setpriv
  // before it execs the server, so the child's pid is the server's).
  const setpriv = findSetpriv();
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  running.add(child);
  child.once('exit', () => running.delete(child));
  // Without these, a caller that forgets stop() hangs at exit instead of exiting
  // and letting the exit hook kill the server.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();

  const hint =
    ' (install the redis-server package, e.g. apt-get install -y redis-server, or set REDIS_SERVER to its path)';
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? hint : '';
      reject(new Error(`startRedis: could not run ${binary}: ${error.message}${why}`));
    });
    child.once('exit', (code, signal) => {
      // 127: setpriv found no such program.
      const why = code === 127 ? hint : '';
      reject(
        new Error(
          `startRedis: ${binary} on port ${port} exited (${signal ?? code}) before answering PING${why}:\n${output}`,
        ),
      );
    });
  });
  failed.catch(() => {});
  try {
    // Our own server, not whatever else answers on the port: its dir is ours.
    await Promise.race([failed, waitUntilAnswering(port, realpathSync(dir), READY_TIMEOUT_MS)]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) await terminate(child, 'SIGKILL');
    if (error instanceof Error && error.message.startsWith('startRedis:')) throw error;
    throw new Error(
      `startRedis: ${binary} on port ${port} did not answer PING: ${error}\n${output}`,
    );
  }
  return child;
}

let setprivPath: string | null | undefined;

/** util-linux `setpriv` on Linux (null elsewhere, or when it is not installed). */
function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== 'linux') return setprivPath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      setprivPath = candidate;
      break;
    } catch {}
  }
  return setprivPath;
}

/** Sends `signal` and resolves once the child has exited, escalating to SIGKILL if it hangs. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Referenced again so that this process waits for the exit it is awaiting.
  child.ref();
  child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(escalate);
}

/** Polls until the server on `port` answers `PING` and reports `dir` as its directory. */
async function waitUntilAnswering(port: number, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const reply = await ask(port, 'PING\r\nCONFIG GET dir\r\n', Math.min(1000, timeoutMs));
      if (reply.startsWith('+PONG\r\n') && reply.includes(`\r\n${dir}\r\n`)) return;
      last = reply.startsWith('+PONG\r\n')
        ? `another server answers on port ${port}: ${JSON.stringify(reply)}`
        : JSON.stringify(reply);
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms, last: ${last}`);
}

/**
 * Sends raw RESP `request` and resolves with what arrived once the reply to
 * `CONFIG GET dir` (a two-element array ending in CRLF) is complete.
 */
function ask(port: number, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    const done = (error?: Error) => {
      socket.destroy();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(reply);
    };
    const timer = setTimeout(() => done(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.startsWith('-') || /^\+PONG\r\n\*2\r\n(\$\d+\r\n[^\r]*\r\n){2}$/.test(reply))
        done();
    });
    socket.once('error', (error) => done(error));
    socket.once('close', () => done());
  });
}
