/**
 * Runs the built `qadmin` command as a child process, as a user would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const BIN = fileURLToPath(new URL('../bin/qadmin.mjs', import.meta.url));

/** Environment without the developer's own QADMIN_* settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('QADMIN_')) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface Options {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  /** The Node binary to run it with; default the one running the tests. */
  node?: string;
}

/** The outcome of a command that runs to its end. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `qadmin <args>` to its end (killed after `timeoutMs`). */
export async function runQadmin(
  args: string[],
  options: Options = {},
  timeoutMs = 30_000,
): Promise<Finished> {
  const child = spawn(options.node ?? process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env ?? {}),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': by then its output has been read to the end.
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A `qadmin serve` that printed its URL. */
export interface Served {
  /** The dashboard URL, with a trailing slash. */
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM (if still running); resolves with the exit code and how long it took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

/** Starts `qadmin serve <args>` and resolves once it prints `dashboard at <url>`. */
export async function startServe(
  args: string[],
  options: Options = {},
  timeoutMs = 30_000,
): Promise<Served> {
  const child = spawn(options.node ?? process.execPath, [BIN, 'serve', ...args], {
    env: cleanEnv(options.env ?? {}),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`qadmin serve printed no URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`qadmin serve exited with ${code}:\n${output}`));
    });
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      // Resolve once the whole start-up report is out, not just its first line
      // (as text or as JSON lines, where a quote ends the URL).
      const match = /dashboard at (http:\/\/[^\s"]+)[\s\S]*stops it/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      const started = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, ms: 0 };
      }
      // 'close', not 'exit': by then the last lines it printed have been read too.
      const closed = once(child, 'close');
      child.kill('SIGTERM');
      const [code] = (await closed) as [number | null];
      return { code, ms: Date.now() - started };
    },
  };
}

/**
 * A {@link startServe} whose servers are stopped after each test of the file
 * that calls it (once, at the top level).
 */
export function serveStoppedAfterEach(): typeof startServe {
  const running: Served[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((served) => served.stop()));
  });
  return async (...args) => {
    const served = await startServe(...args);
    running.push(served);
    return served;
  };
}
