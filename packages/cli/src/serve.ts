/**
 * `qadmin serve`: the dashboard on its own `node:http` server, over the
 * sources of {@link ServeSettings}, with a clear start-up report (as text or
 * JSON lines, see ./log.ts), an optional access log, and a shutdown that
 * ends within 2 s.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type AuthProvider,
  createAdmin,
  createNodeListener,
  createSetupCode,
  findInstalledUi,
  type PasswordUser,
  passwordAuth,
  type QadminApp,
  tokenAuth,
} from '@qadmin/core';
import { isLoopback, type ServeSettings } from './config';
import { describeError, StartupError, UsageError } from './errors';
import { createLogger, type Logger, notingPrincipal, type Output, withAccessLog } from './log';
import { createSources, probeSource } from './sources';
import {
  AUTH_STATE_FILE,
  type AuthState,
  newSessionSecret,
  readAuthState,
  writeAuthState,
} from './state';

export type { Output } from './log';

/**
 * A running dashboard: its URL, and a promise of the exit code that settles
 * once it has stopped.
 *
 * @example
 * ```ts
 * const running = await serve(settings);
 * console.log(running.url);
 * await running.stop('test');
 * ```
 */
export interface RunningServer {
  /** The dashboard's URL, with the actual port and a trailing slash. */
  url: string;
  server: Server;
  admin: QadminApp;
  /** Stops everything (idempotent); resolves with the exit code (0 clean, 1 forced). */
  stop(reason: string): Promise<number>;
  /** Settles with the exit code once stopped, whoever stopped it. */
  stopped: Promise<number>;
  /**
   * The one-time code of the first-run setup while it waits for its admin
   * (also printed at start-up), else `null`.
   */
  setupCode: string | null;
}

/** Shutdown finishes within this, forcing what has not closed by then. */
const SHUTDOWN_DEADLINE_MS = 1_800;
const MAX_LISTED_QUEUES = 20;

/** The installed `@qadmin/ui`'s prebuilt app: the CLI's own dependency first. */
function uiDirectory(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@qadmin/ui/package.json');
    const dir = join(dirname(manifest), 'dist', 'app');
    if (existsSync(join(dir, 'index.html'))) return dir;
  } catch {
    // Not resolvable from here (the CommonJS build has no import.meta): look where core looks.
  }
  return findInstalledUi();
}

/** Who may log in, and where they come from. */
interface AuthPlan {
  providers: AuthProvider[];
  /** Users and tokens of the config file, users from the state file, or a setup waiting for its admin. */
  source: 'config' | 'state' | 'setup' | 'none';
  /** The users who can log in now. */
  users: number;
  /** The state file, when the users come from it or the setup will write it. */
  stateFile: string | null;
  setupCode: string | null;
}

/**
 * The login of the dashboard: the config file's users and tokens; else the
 * admin an earlier first-run setup kept in the state directory; else, bound
 * beyond loopback and allowed to write, a first-run setup that will keep its
 * admin there; else none (read-only, as without auth).
 */
async function planAuth(settings: ServeSettings, log: Logger): Promise<AuthPlan> {
  const plan = (
    source: AuthPlan['source'],
    providers: AuthProvider[],
    rest: Partial<AuthPlan> = {},
  ): AuthPlan => ({
    source,
    providers,
    users: 0,
    stateFile: null,
    setupCode: null,
    ...rest,
  });
  if (settings.users.length > 0 || settings.tokens.length > 0) {
    const providers: AuthProvider[] = [];
    try {
      if (settings.users.length > 0) {
        providers.push(
          passwordAuth({
            users: settings.users,
            ...(settings.sessionSecret !== undefined && { sessionSecret: settings.sessionSecret }),
          }),
        );
      }
      if (settings.tokens.length > 0) providers.push(tokenAuth({ tokens: settings.tokens }));
    } catch (error) {
      // Core names the user or token; say which file it came from.
      throw new UsageError(`config file ${settings.configFile}: auth: ${(error as Error).message}`);
    }
    return plan('config', providers, { users: settings.users.length });
  }

  const stateFile = join(settings.stateDir, AUTH_STATE_FILE);
  const stored = readAuthState(stateFile, (message) =>
    log.warn(message, { event: 'state-file-readable', stateFile }),
  );
  if (stored && stored.users.length > 0) {
    if (settings.unsafeAnonymousWrites) {
      throw new UsageError(
        `--unsafe-anonymous-writes cannot be combined with the admin the first-run setup kept in ${stateFile}: log in to make changes (or use another --state-dir)`,
      );
    }
    let provider: AuthProvider;
    try {
      provider = passwordAuth({
        users: stored.users,
        sessionSecret: settings.sessionSecret ?? stored.sessionSecret,
      });
    } catch (error) {
      throw new StartupError(`${stateFile}: ${(error as Error).message}`);
    }
    return plan('state', [provider], { users: stored.users.length, stateFile });
  }

  // On this machine only, or with writes off, there is nothing to guard with a login.
  if (isLoopback(settings.host) || settings.readOnly || settings.unsafeAnonymousWrites) {
    return plan('none', []);
  }
  // Written now: a state directory that cannot be written fails the start, not the setup.
  const state: AuthState = stored ?? { version: 1, sessionSecret: newSessionSecret(), users: [] };
  if (!stored) {
    try {
      await writeAuthState(stateFile, state);
    } catch (error) {
      if (error instanceof StartupError) throw error;
      throw new StartupError(
        `cannot write ${stateFile} for the first-run setup: ${describeError(error)} (choose another directory with --state-dir)`,
      );
    }
  }
  const setupCode = createSetupCode();
  const provider = passwordAuth({
    users: [],
    sessionSecret: settings.sessionSecret ?? state.sessionSecret,
    setup: {
      code: setupCode,
      async store(user: PasswordUser) {
        await writeAuthState(stateFile, { ...state, users: [user] });
        log.info(
          `first-run setup done: admin ${JSON.stringify(user.username)} kept in ${stateFile}; from now on, log in`,
          { event: 'setup-done', username: user.username, stateFile },
        );
      },
    },
  });
  return plan('setup', [provider], { stateFile, setupCode });
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

function queueLine(names: string[]): string {
  if (names.length === 0) return 'no queues yet (new ones are found as they appear)';
  const shown = names.slice(0, MAX_LISTED_QUEUES).join(', ');
  const more =
    names.length > MAX_LISTED_QUEUES ? ` and ${names.length - MAX_LISTED_QUEUES} more` : '';
  return `${plural(names.length, 'queue')}: ${shown}${more}`;
}

/**
 * Whether jobs can be changed, and why: the line for people, and for a JSON
 * log `writes` (`off`, `by-role` after login, `anyone`) with a `reason`
 * that stays the same when the wording changes.
 */
interface WritesReport {
  line: string;
  writes: 'off' | 'by-role' | 'anyone';
  reason:
    | 'read-only'
    | 'first-run-setup-pending'
    | 'users-from-state'
    | 'unsafe-anonymous-writes'
    | 'users-or-tokens'
    | 'no-users-or-tokens';
}

function writesReport(settings: ServeSettings, url: string, auth: AuthPlan): WritesReport {
  if (settings.readOnly) {
    return {
      line: 'writes: off (--read-only): nobody can change jobs',
      writes: 'off',
      reason: 'read-only',
    };
  }
  if (auth.source === 'setup') {
    return {
      line: 'writes: off until the first-run setup creates an admin; then after login, by role',
      writes: 'off',
      reason: 'first-run-setup-pending',
    };
  }
  if (auth.source === 'state') {
    return {
      line: `writes: after login, by role: ${plural(auth.users, 'user')} (password login) from the first-run setup, kept in ${auth.stateFile}`,
      writes: 'by-role',
      reason: 'users-from-state',
    };
  }
  if (settings.unsafeAnonymousWrites) {
    return {
      line: `writes: ANYONE who can reach ${url} can change and delete jobs, without logging in (--unsafe-anonymous-writes: for local development only)`,
      writes: 'anyone',
      reason: 'unsafe-anonymous-writes',
    };
  }
  const ways = [
    settings.users.length > 0 && `${plural(settings.users.length, 'user')} (password login)`,
    settings.tokens.length > 0 &&
      `${plural(settings.tokens.length, 'token')} (Authorization: Bearer)`,
  ].filter(Boolean);
  if (ways.length > 0) {
    return {
      line: `writes: after login, by role (operators act on jobs, admins on whole queues): ${ways.join(', ')}`,
      writes: 'by-role',
      reason: 'users-or-tokens',
    };
  }
  return {
    line: 'writes: off, because no users or tokens are configured: the dashboard is read-only. Add auth.users (`qadmin hash-password` makes a passwordHash) or auth.tokens to qadmin.config.json',
    writes: 'off',
    reason: 'no-users-or-tokens',
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new StartupError(
            `cannot listen on ${where}: the port is in use (choose another with --port; 0 picks a free one)`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new StartupError(
            `cannot listen on ${where}: not allowed (ports below 1024 need privileges)`,
          ),
        );
      } else {
        reject(new StartupError(`cannot listen on ${where}: ${describeError(error)}`));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Starts the dashboard: creates the sources and checks that each answers
 * (a {@link StartupError} naming the first that does not), builds the
 * dashboard with its login, listens, and prints what it found, in
 * `settings.logFormat`. A source that goes away later is reported (Redis
 * tells), and its queues answer 503 until it is back. With
 * `handleSignals`, SIGTERM and SIGINT stop it.
 *
 * @example
 * ```ts
 * const settings = await resolveServeSettings({ demo: true, port: '0' }, process.env, process.cwd());
 * const running = await serve(settings, { out: console.log, err: console.error });
 * process.exitCode = await running.stopped;
 * ```
 */
export async function serve(
  settings: ServeSettings,
  output: Output,
  options: { handleSignals?: boolean } = {},
): Promise<RunningServer> {
  const log = createLogger(output, settings.logFormat);
  const auth = await planAuth(settings, log);
  const uiDir = settings.ui ? uiDirectory() : undefined;
  const sources = createSources(settings);
  const closeSources = async () => {
    for (const source of sources) source.stop();
    await Promise.allSettled(sources.map((source) => source.backend.close?.()));
  };

  let found: string[][];
  try {
    found = await Promise.all(sources.map((source) => probeSource(source)));
  } catch (error) {
    await closeSources();
    throw error;
  }

  let admin: QadminApp;
  try {
    admin = createAdmin({
      backends: sources.map((source) => source.backend),
      title: settings.title,
      readOnly: settings.readOnly,
      // The UI's files are served only when asked for; `false` leaves the small API page.
      uiDir: settings.ui && uiDir !== undefined ? uiDir : false,
      auth: settings.accessLog ? auth.providers.map(notingPrincipal) : auth.providers,
      unsafeAnonymousWrites: settings.unsafeAnonymousWrites,
      // The start-up report below says the same, with the reason and the fix.
      warn: () => {},
      // Closed last, after the server, by stop().
      closeBackends: false,
    });
  } catch (error) {
    await closeSources();
    throw new UsageError(describeError(error));
  }

  const listener = createNodeListener(admin, { basePath: settings.basePath });
  const server = createServer(settings.accessLog ? withAccessLog(listener, log) : listener);
  let port: number;
  try {
    port = await listen(server, settings.port, settings.host);
  } catch (error) {
    await admin.close();
    await closeSources();
    throw error;
  }
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostInUrl}:${port}${settings.basePath}/`;

  log.info(`dashboard at ${url}${settings.ui ? '' : ' (--no-ui: the JSON API only)'}`, {
    event: 'listening',
    url,
    ui: settings.ui,
  });
  if (settings.ui && uiDir === undefined) {
    log.warn('@qadmin/ui is not installed: serving the API page instead of the web UI', {
      event: 'ui-missing',
    });
  }
  if (settings.configFile) {
    log.info(`config file ${settings.configFile}`, {
      event: 'config-file',
      configFile: settings.configFile,
    });
  }
  sources.forEach((source, index) => {
    const queues = found[index]!;
    log.info(`source ${source.backend.id}: ${source.description}: ${queueLine(queues)}`, {
      event: 'source',
      id: source.backend.id,
      kind: source.kind,
      source: source.description,
      queues,
    });
  });
  log.info(
    `API at ${url}api/overview, OpenAPI at ${url}api/openapi.json, Prometheus at ${url}metrics`,
    {
      event: 'endpoints',
      api: `${url}api/overview`,
      openapi: `${url}api/openapi.json`,
      metrics: `${url}metrics`,
    },
  );
  const writes = writesReport(settings, url, auth);
  log.info(writes.line, { event: 'writes', writes: writes.writes, reason: writes.reason });
  if (auth.setupCode !== null) {
    const wildcard = settings.host === '0.0.0.0' || settings.host === '::';
    log.info(
      `first-run setup: no users or tokens are configured and the dashboard listens on ${settings.host}, so nothing can be seen or changed until an admin exists. Open ${url}${wildcard ? " (from another machine: this machine's address)" : ''} and create one with this one-time setup code:`,
      { event: 'setup', url, stateFile: auth.stateFile },
    );
    log.info(`setup code: ${auth.setupCode}`, { event: 'setup-code', setupCode: auth.setupCode });
  }
  if (!isLoopback(settings.host) && auth.providers.length === 0) {
    log.warn(
      `listening on ${settings.host} without login: anyone who reaches it can read every job's data`,
      { event: 'open-to-network', host: settings.host },
    );
  }
  if (settings.accessLog) {
    log.info('access log: one line per request (query values, cookies and credentials left out)', {
      event: 'access-log',
    });
  }

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<number> | undefined;

  for (const source of sources) {
    source.watchConnection?.((change) => {
      // Closing the sources at shutdown is no loss.
      if (stopping) return;
      const fields = { id: source.backend.id, kind: source.kind, source: source.description };
      if (change.up) {
        log.info(`source ${source.backend.id} is back: ${source.description}`, {
          event: 'source-back',
          ...fields,
        });
      } else {
        const error = describeError(change.error);
        log.warn(
          `source ${source.backend.id} is unreachable (${error}): its queues answer 503 until it is back`,
          { event: 'source-lost', ...fields, error },
        );
      }
    });
  }

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      log.info(`${reason}: stopping`, { event: 'stopping', reason });
      let forced = false;
      const deadline = new Promise<void>((resolve) => {
        setTimeout(() => {
          forced = true;
          resolve();
        }, SHUTDOWN_DEADLINE_MS).unref();
      });
      const orderly = (async () => {
        for (const source of sources) source.stop();
        // Ends the event streams, so that the server can finish its connections.
        await admin.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests still running get most of the deadline; then their connections are cut.
        const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS / 2);
        await closed;
        clearTimeout(cut);
        await closeSources();
      })();
      await Promise.race([orderly, deadline]);
      if (forced) {
        server.closeAllConnections();
        log.error(`not everything closed within ${SHUTDOWN_DEADLINE_MS} ms; exiting`, {
          event: 'stop-forced',
          deadlineMs: SHUTDOWN_DEADLINE_MS,
        });
      }
      const code = forced ? 1 : 0;
      resolveStopped(code);
      return code;
    })();
    return stopping;
  };

  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        // A second signal means now.
        if (stopping) process.exit(130);
        void stop(signal);
      });
    }
  }

  // Last, once the signals are handled: whoever waits for this line may send one at once.
  log.info('Ctrl+C (or SIGTERM) stops it', { event: 'ready' });
  return { url, server, admin, stop, stopped, setupCode: auth.setupCode };
}
