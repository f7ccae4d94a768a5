import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** A Node program started by {@link spawnApp}. */
export interface SpawnedApp {
  /** The dashboard URL the program printed (`... dashboard at <url>`). */
  url: string;
  child: ChildProcess;
  /** Everything the program wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM (if still running) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node <script>` with `env` added to this process's environment and
 * resolves once it prints `dashboard at <url>` (the line every qadmin app and
 * example prints on start-up); rejects with its output if it exits first or
 * takes longer than `timeoutMs`.
 */
export async function spawnApp(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<SpawnedApp> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no dashboard URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /dashboard at (http:\/\/\S+)/.exec(output);
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
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
