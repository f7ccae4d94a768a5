/**
 * What every throwaway server of the test fixtures shares: free ports, child
 * processes that die with this process, their output, and clean stops.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The only address throwaway servers listen on. */
export const HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 64 * 1024;

/** Servers still running, killed when this process exits normally so none outlives it. */
const running = new Set<ChildProcess>();
/** Directories of servers not stopped yet, removed when this process exits. */
export const directories = new Set<string>();
let exitHookInstalled = false;

/** Kills every tracked server and removes every tracked directory when this process exits. */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  });
}

/** A port nothing listens on right now: the one the OS hands out for port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

/**
 * Spawns `binary` with its output collected (the last 64 KiB) and tracked by
 * the exit hook. The exit hook does not run when this process dies of a
 * signal, as a vitest fork does (SIGTERM) at the end of a run: on Linux, the
 * kernel kills the child when its parent dies (PR_SET_PDEATHSIG, set by
 * util-linux setpriv before it execs the program, so the child's pid is the
 * program's).
 */
export function spawnTracked(
  binary: string,
  args: string[],
  options: { uid?: number; gid?: number } = {},
): { child: ChildProcess; output: () => string } {
  const setpriv = findSetpriv();
  const spawnOptions: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], ...options };
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args], spawnOptions)
    : spawn(binary, args, spawnOptions);
  let output = '';
  const collect = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return { child, output: () => output };
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
export async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Referenced again so that this process waits for the exit it is awaiting.
  child.ref();
  child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(escalate);
}
