import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { directories, freePort, HOST, installExitHook, spawnTracked, terminate } from './processes';

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

/**
 * A Redis Cluster started by {@link startRedisCluster}: one `redis-server`
 * master per node, each a child of this process on its own port (its cluster
 * bus on port + 10000), in its own empty temporary directory, persisting
 * nothing, with every one of the 16384 slots assigned.
 *
 * @example
 * ```ts
 * const cluster: ThrowawayRedisCluster = await startRedisCluster();
 * const connection = new Cluster(cluster.nodes);
 * // ...
 * await connection.quit();
 * await cluster.stop();
 * ```
 */
export interface ThrowawayRedisCluster {
  /** Every master, `127.0.0.1` and its port: seed nodes for a cluster client. */
  nodes: { host: string; port: number }[];
  /** Shuts every node down with SIGTERM, waits for them to exit and removes their directories. */
  stop(): Promise<void>;
}

/**
 * Options of {@link startRedisCluster}.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster({ masters: 4 });
 * ```
 */
export interface StartRedisClusterOptions {
  /** How many masters share the slots (default 3, the fewest `redis-cli --cluster create` accepts). */
  masters?: number;
}

const READY_TIMEOUT_MS = 10_000;
/** Attempts with a freshly picked port, when another process takes the picked one first. */
const PORT_ATTEMPTS = 3;
/** Redis puts a node's cluster bus this far above its port (Redis 7 can move it; Redis 6 cannot). */
const CLUSTER_BUS_OFFSET = 10_000;
/** How long `redis-cli --cluster create` and the nodes' agreement on `cluster_state:ok` may take. */
const CLUSTER_READY_TIMEOUT_MS = 30_000;

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
  const server = await startServer({ port: options.port, pickPort: freePort });
  return {
    url: `redis://${HOST}:${server.port}`,
    port: server.port,
    host: HOST,
    stop: () => server.end('SIGTERM'),
    kill: () => server.end('SIGKILL'),
    async start() {
      if (!server.isRunning()) await server.launch();
    },
  };
}

/**
 * Starts a throwaway Redis Cluster of `masters` (default 3) `redis-server`
 * nodes, each started like {@link startRedis} (`127.0.0.1`, a free port, no
 * persistence, an empty temporary directory, killed with this process) with
 * cluster mode on and a 2-second node timeout. It joins them with
 * `redis-cli --cluster create` (no replicas; the `redis-cli` on `PATH`, beside
 * `REDIS_SERVER`, or `REDIS_CLI`) and resolves once every node reports
 * `cluster_state:ok` and knows every other. Rejects with the output of the
 * node or of `redis-cli` that failed, after stopping the nodes it started.
 *
 * @example
 * ```ts
 * import { startRedisCluster } from '@qadmin/test-fixtures';
 * import { Cluster } from 'ioredis';
 *
 * const cluster = await startRedisCluster();
 * const connection = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
 * // Hash-tagged prefix: every key of a queue in one slot.
 * const queue = new Queue('emails', { connection, prefix: '{emails}' });
 * // ...
 * await queue.close();
 * await connection.quit();
 * await cluster.stop();
 * ```
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<ThrowawayRedisCluster> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new RangeError(
      `startRedisCluster: masters must be an integer >= 3 (redis-cli --cluster create needs 3), got ${masters}`,
    );
  }
  const servers: ServerProcess[] = [];
  const stopAll = (signal: NodeJS.Signals) =>
    Promise.all(servers.map((server) => server.end(signal))).then(() => {});
  try {
    // One after another: a node already listening on its port and bus port
    // cannot be handed out again as the next node's.
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startServer({
          pickPort: freeClusterPort,
          caller: 'startRedisCluster',
          extraArgs: (port, dir) => [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const ports = servers.map((server) => server.port);
    await runRedisCli(
      [
        '--cluster',
        'create',
        ...ports.map((port) => `${HOST}:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      CLUSTER_READY_TIMEOUT_MS,
    );
    await waitUntilClusterOk(ports, CLUSTER_READY_TIMEOUT_MS);
  } catch (error) {
    await stopAll('SIGKILL');
    throw error;
  }
  return {
    nodes: servers.map((server) => ({ host: HOST, port: server.port })),
    stop: () => stopAll('SIGTERM'),
  };
}

/** One `redis-server` on a port of its own, which can be ended and launched again on that port. */
interface ServerProcess {
  readonly port: number;
  isRunning(): boolean;
  /** Starts it in a new empty directory and resolves once it answers. */
  launch(): Promise<void>;
  /** Ends it with `signal`, waits for it to exit and removes its directory. */
  end(signal: NodeJS.Signals): Promise<void>;
}

interface ServerOptions {
  /** A fixed port: fails if it is taken. */
  port?: number | undefined;
  /** Picks a port when none is fixed, and again when another process took the picked one. */
  pickPort(): Promise<number>;
  /** Named in error messages. Default `startRedis`. */
  caller?: string;
  /** Arguments after the ones every server gets. */
  extraArgs?(port: number, dir: string): string[];
}

/** Launches a server (see {@link startRedis}), retrying on a fresh port when its port was taken. */
async function startServer(options: ServerOptions): Promise<ServerProcess> {
  installExitHook();
  let port = options.port ?? (await options.pickPort());
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  const launch = async (): Promise<void> => {
    dir = mkdtempSync(join(tmpdir(), 'qadmin-redis-'));
    directories.add(dir);
    try {
      child = await spawnReady(port, dir, options.caller ?? 'startRedis', options.extraArgs);
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
      port = await options.pickPort();
    }
  }

  return {
    get port() {
      return port;
    },
    isRunning,
    launch,
    end,
  };
}

/**
 * A free port whose cluster bus port (port + 10000) is free and valid too:
 * the OS hands out ports up to 65535, and Redis refuses a bus port above it.
 */
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    if (port + CLUSTER_BUS_OFFSET <= 65_535 && (await isFree(port + CLUSTER_BUS_OFFSET))) {
      return port;
    }
  }
  throw new Error('startRedisCluster: could not pick a free port with a free cluster bus port');
}

/** Whether this process could listen on `port` right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Spawns the server and resolves once it answers on `port`; kills it and rejects otherwise. */
async function spawnReady(
  port: number,
  dir: string,
  caller: string,
  extraArgs?: (port: number, dir: string) => string[],
): Promise<ChildProcess> {
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
    ...(extraArgs?.(port, dir) ?? []),
  ];
  const { child, output } = spawnTracked(binary, args);
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
      reject(new Error(`${caller}: could not run ${binary}: ${error.message}${why}`));
    });
    child.once('exit', (code, signal) => {
      // 127: setpriv found no such program.
      const why = code === 127 ? hint : '';
      reject(
        new Error(
          `${caller}: ${binary} on port ${port} exited (${signal ?? code}) before answering PING${why}:\n${output()}`,
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
    if (error instanceof Error && error.message.startsWith(`${caller}:`)) throw error;
    throw new Error(
      `${caller}: ${binary} on port ${port} did not answer PING: ${error}\n${output()}`,
    );
  }
  return child;
}

/**
 * Runs `redis-cli` with `args` to completion; rejects with its output when it
 * fails or is still running after `timeoutMs` (then it is killed).
 */
async function runRedisCli(args: string[], timeoutMs: number): Promise<void> {
  const binary = redisCliBinary();
  const { child, output } = spawnTracked(binary, args);
  const hint =
    ' (install the redis-tools package, e.g. apt-get install -y redis-tools, or set REDIS_CLI to its path)';
  const command = `${binary} ${args.join(' ')}`;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'ENOENT' ? hint : '';
        reject(new Error(`startRedisCluster: could not run ${binary}: ${error.message}${why}`));
      });
      // 'close', not 'exit': by then its output has been read to the end.
      child.once('close', (code, signal) => {
        if (code === 0) return resolve();
        const why = timedOut ? ` after ${timeoutMs} ms` : code === 127 ? hint : '';
        reject(
          new Error(`startRedisCluster: ${command} failed (${signal ?? code})${why}:\n${output()}`),
        );
      });
    });
  } finally {
    clearTimeout(timer);
  }
}

/** `REDIS_CLI`, else the `redis-cli` beside `REDIS_SERVER`, else the one on `PATH`. */
function redisCliBinary(): string {
  if (process.env.REDIS_CLI) return process.env.REDIS_CLI;
  const server = process.env.REDIS_SERVER;
  if (server?.includes('/')) {
    const beside = join(dirname(server), 'redis-cli');
    if (existsSync(beside)) return beside;
  }
  return 'redis-cli';
}

/** Polls until the server on `port` answers `PING` and reports `dir` as its directory. */
async function waitUntilAnswering(port: number, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const reply = await ask(
        port,
        'PING\r\nCONFIG GET dir\r\n',
        Math.min(1000, timeoutMs),
        pingAndDirComplete,
      );
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
 * Polls until every node on `ports` reports `cluster_state:ok` (all 16384
 * slots served, in its own view) and knows all `ports.length` nodes.
 */
async function waitUntilClusterOk(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const infos = await Promise.all(
        ports.map((port) => ask(port, 'CLUSTER INFO\r\n', 1000, bulkReplyComplete)),
      );
      const waiting = infos.flatMap((info, i) =>
        info.includes('\r\ncluster_state:ok\r\n') &&
        info.includes(`\r\ncluster_known_nodes:${ports.length}\r\n`)
          ? []
          : [`${ports[i]}: ${JSON.stringify(info)}`],
      );
      if (waiting.length === 0) return;
      last = waiting.join('; ');
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `startRedisCluster: the cluster on ports ${ports.join(', ')} was not ok after ${timeoutMs} ms, last: ${last}`,
  );
}

/** The reply to `PING` then `CONFIG GET dir`: `+PONG` and a two-element array, or an error. */
function pingAndDirComplete(reply: string): boolean {
  return reply.startsWith('-') || /^\+PONG\r\n\*2\r\n(\$\d+\r\n[^\r]*\r\n){2}$/.test(reply);
}

/** One bulk string (`$<length>\r\n<bytes>\r\n`, the replies here are ASCII), or an error. */
function bulkReplyComplete(reply: string): boolean {
  if (reply.startsWith('-')) return reply.endsWith('\r\n');
  const header = /^\$(\d+)\r\n/.exec(reply);
  return header !== null && reply.length >= header[0].length + Number(header[1]) + 2;
}

/** Sends raw RESP `request` and resolves with what arrived once `complete` says the reply is whole. */
function ask(
  port: number,
  request: string,
  timeoutMs: number,
  complete: (reply: string) => boolean,
): Promise<string> {
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
      if (complete(reply)) done();
    });
    socket.once('error', (error) => done(error));
    socket.once('close', () => done());
  });
}
