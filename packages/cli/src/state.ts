/**
 * What `qadmin serve` keeps between runs in its state directory: the admin
 * created by the first-run setup (a scrypt hash, never the password) and the
 * session secret, so that the admin and their sessions survive a restart.
 * One small JSON file, readable by its owner only, replaced atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ROLES } from '@qadmin/core';
import { z } from 'zod';
import { StartupError } from './errors';

/** The file's name in the state directory. */
export const AUTH_STATE_FILE = 'auth.json';

const authStateSchema = z.strictObject({
  version: z.literal(1),
  sessionSecret: z.string().min(32),
  users: z.array(
    z.strictObject({
      username: z.string().min(1),
      passwordHash: z.string().min(1),
      role: z.enum(ROLES),
    }),
  ),
});

/**
 * The content of `auth.json` in the state directory.
 *
 * @example
 * ```ts
 * const state: AuthState = { version: 1, sessionSecret: newSessionSecret(), users: [] };
 * ```
 */
export type AuthState = z.output<typeof authStateSchema>;

/**
 * A random session secret (32 bytes, base64url: 43 characters).
 *
 * @example
 * ```ts
 * const secret = newSessionSecret();
 * ```
 */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads `auth.json`: `null` when it does not exist. A file that cannot be
 * read or is not what qadmin wrote is a {@link StartupError} naming it.
 * `warn` hears (a message without the `qadmin:` prefix) when other users of
 * the machine may read it.
 *
 * @example
 * ```ts
 * const state = readAuthState(join(settings.stateDir, AUTH_STATE_FILE), console.warn);
 * ```
 */
export function readAuthState(file: string, warn: (line: string) => void): AuthState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StartupError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const advice = 'fix it, or remove it to run the first-run setup again';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StartupError(`${file} is not JSON (${(error as Error).message}): ${advice}`);
  }
  const parsed = authStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new StartupError(
      `${file} is not a qadmin state file (${field}: ${issue.message}): ${advice}`,
    );
  }
  // Windows has no such mode bits to check.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    warn(
      `${file} can be read by other users of this machine, and it holds the session secret: chmod 600 it`,
    );
  }
  return parsed.data;
}

/**
 * Writes `auth.json` atomically: a new file (mode 0600) beside it, flushed,
 * then renamed over it, so a crash leaves the old file or the new one, never
 * half of one. Creates the state directory (mode 0700) when needed.
 *
 * @example
 * ```ts
 * await writeAuthState(join(stateDir, AUTH_STATE_FILE), { ...state, users: [admin] });
 * ```
 */
export async function writeAuthState(file: string, state: AuthState): Promise<void> {
  const dir = dirname(file);
  ensureStateDir(dir);
  const text = `${JSON.stringify(authStateSchema.parse(state), null, 2)}\n`;
  const temporary = join(
    dir,
    `.${AUTH_STATE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename is durable once the directory is flushed; not every platform can open one.
  try {
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {}
}

/**
 * Creates the state directory, readable by its owner only; a
 * {@link StartupError} when it cannot.
 *
 * @example
 * ```ts
 * ensureStateDir(settings.stateDir);
 * ```
 */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(
      `cannot create the state directory ${dir}: ${(error as Error).message} (choose another with --state-dir)`,
    );
  }
}
