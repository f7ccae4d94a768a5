/**
 * What `qadmin serve` runs with, from four places in this order of precedence:
 * command-line flags, `QADMIN_*` environment variables, the config file,
 * defaults. Every value is checked here, before anything connects or listens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ApiToken, normalizeBasePath, type PasswordUser, ROLES } from '@qadmin/core';
import { z } from 'zod';
import { UsageError } from './errors';
import { LOG_FORMATS, type LogFormat } from './log';

const role = z.enum(ROLES);
const stringList = z.union([z.string(), z.array(z.string())]);

const redisEntry = z.union([
  z.string(),
  z.strictObject({
    url: z.string(),
    prefix: stringList.optional(),
    id: z.string().optional(),
    label: z.string().optional(),
  }),
]);

const collectorEntry = z.union([
  z.string(),
  z.strictObject({
    file: z.string(),
    id: z.string().optional(),
    label: z.string().optional(),
  }),
]);

const postgresEntry = z.union([
  z.string(),
  z.strictObject({
    url: z.string(),
    schema: z.string().optional(),
    id: z.string().optional(),
    label: z.string().optional(),
  }),
]);

/**
 * The shape of `qadmin.config.json` (or the default export of
 * `qadmin.config.mjs`): every field optional, unknown fields refused so that
 * a typo does not pass for a setting.
 *
 * @example
 * ```ts
 * const config = configSchema.parse(JSON.parse(text));
 * ```
 */
export const configSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  basePath: z.string().optional(),
  title: z.string().min(1).optional(),
  readOnly: z.boolean().optional(),
  /** `false` serves the JSON API, OpenAPI, Prometheus metrics and events without the web UI. */
  ui: z.boolean().optional(),
  demo: z.boolean().optional(),
  redis: z.union([redisEntry, z.array(redisEntry)]).optional(),
  /** BullMQ prefixes of the `redis` entries that name none. Default `bull`. */
  prefix: stringList.optional(),
  postgres: z.union([postgresEntry, z.array(postgresEntry)]).optional(),
  /** pg-boss schema of the `postgres` entries that name none. Default `pgboss`. */
  pgbossSchema: z.string().optional(),
  /** Event collector stores (SQLite files, relative to the config file): queues fed by workers' events. */
  collector: z.union([collectorEntry, z.array(collectorEntry)]).optional(),
  /** Tokens workers send to `api/ingest/events` (each at least 24 characters); not dashboard logins. */
  ingestTokens: z.array(z.string()).optional(),
  auth: z
    .strictObject({
      users: z
        .array(z.strictObject({ username: z.string().min(1), passwordHash: z.string(), role }))
        .optional(),
      tokens: z
        .array(z.strictObject({ name: z.string().min(1), token: z.string(), role }))
        .optional(),
      sessionSecret: z.string().optional(),
    })
    .optional(),
  unsafeAnonymousWrites: z.boolean().optional(),
  /**
   * Where `qadmin serve` keeps what it learns at run time (the admin of the
   * first-run setup, the session secret), relative to the config file.
   * Default `./.qadmin` in the working directory.
   */
  stateDir: z.string().min(1).optional(),
  /** `text` (default) or `json`: one JSON object per line, for a log pipeline. */
  logFormat: z.enum(LOG_FORMATS).optional(),
  /** One line per answered request (no query values, cookies or credentials). Default `false`. */
  accessLog: z.boolean().optional(),
});

/**
 * The config file's content: see the package README for an example.
 *
 * @example
 * ```ts
 * const config: QadminConfig = {
 *   redis: 'redis://127.0.0.1:6379',
 *   auth: { tokens: [{ name: 'ci', token: process.env.QADMIN_CI_TOKEN!, role: 'operator' }] },
 * };
 * ```
 */
export type QadminConfig = z.input<typeof configSchema>;

/**
 * Types a `qadmin.config.mjs` (or `.js`) without a build step. In a
 * `qadmin.config.ts` (Node 22.18+), `import type { QadminConfig }` does the
 * same without a runtime import.
 *
 * @example
 * ```ts
 * // qadmin.config.mjs
 * import { defineConfig } from '@qadmin/cli';
 * export default defineConfig({ redis: process.env.REDIS_URL, title: 'Production queues' });
 * ```
 */
export function defineConfig(config: QadminConfig): QadminConfig {
  return config;
}

/** A Redis to discover BullMQ queues in. */
export interface RedisSource {
  url: string;
  prefixes: string[];
  id: string;
  label?: string | undefined;
}

/** A PostgreSQL whose pg-boss schema to read. */
export interface PostgresSource {
  url: string;
  schema: string;
  id: string;
  label?: string | undefined;
}

/** An event collector store: a SQLite file workers report into. */
export interface CollectorSource {
  /** Absolute path of the SQLite file. */
  file: string;
  id: string;
  label?: string | undefined;
}

/**
 * Everything `qadmin serve` needs, checked and with defaults filled in.
 *
 * @example
 * ```ts
 * const settings = await resolveServeSettings(flags, process.env, process.cwd());
 * console.log(settings.port);
 * ```
 */
export interface ServeSettings {
  host: string;
  port: number;
  /** Normalised: `''` at the root, `/queues` below it. */
  basePath: string;
  title: string;
  readOnly: boolean;
  ui: boolean;
  demo: boolean;
  redis: RedisSource[];
  postgres: PostgresSource[];
  collectors: CollectorSource[];
  /** Tokens workers report to the collectors with. */
  ingestTokens: string[];
  users: PasswordUser[];
  tokens: ApiToken[];
  sessionSecret?: string | undefined;
  unsafeAnonymousWrites: boolean;
  /**
   * Absolute path of the directory for run-time state: the admin created by
   * the first-run setup and the session secret (see the README).
   */
  stateDir: string;
  /** The config file that was read, if any. */
  configFile: string | null;
  logFormat: LogFormat;
  /** Whether every answered request is logged. */
  accessLog: boolean;
}

/** The `serve` flags as `node:util` parseArgs returns them. */
export interface ServeFlags {
  config?: string | undefined;
  demo?: boolean | undefined;
  redis?: string[] | undefined;
  prefix?: string[] | undefined;
  postgres?: string[] | undefined;
  'pgboss-schema'?: string | undefined;
  collector?: string[] | undefined;
  host?: string | undefined;
  port?: string | undefined;
  'base-path'?: string | undefined;
  'read-only'?: boolean | undefined;
  title?: string | undefined;
  ui?: boolean | undefined;
  'unsafe-anonymous-writes'?: boolean | undefined;
  'state-dir'?: string | undefined;
  'log-format'?: string | undefined;
  'access-log'?: boolean | undefined;
}

const DEFAULT_CONFIG_FILES = [
  'qadmin.config.json',
  'qadmin.config.mjs',
  'qadmin.config.js',
  'qadmin.config.ts',
  'qadmin.config.mts',
];
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True for the host names that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Splits a list from an environment variable: commas or white space. */
function envList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

function envBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const normal = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normal)) return true;
  if (['0', 'false', 'no', 'off'].includes(normal)) return false;
  throw new UsageError(`${name} must be true or false, not ${JSON.stringify(value)}`);
}

function parseLogFormat(source: string, value: string): LogFormat {
  const format = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new UsageError(`${source} must be text or json, not ${JSON.stringify(value)}`);
}

/**
 * The log format a flag or `QADMIN_LOG_FORMAT` asks for, or `undefined`
 * when neither does or the value is not a format. Known before the config
 * file is read, so that a config file that cannot be read is reported in it.
 *
 * @example
 * ```ts
 * const early = requestedLogFormat(flags, process.env) ?? 'text';
 * ```
 */
export function requestedLogFormat(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
): LogFormat | undefined {
  const value = flags['log-format'] ?? (env.QADMIN_LOG_FORMAT || undefined);
  if (value === undefined) return undefined;
  try {
    return parseLogFormat('', value);
  } catch {
    return undefined;
  }
}

/**
 * Whether this Node imports TypeScript by itself: 22.18+ and 23.6+ strip
 * types by default (`process.features.typescript` is `'strip'`); 20 has no
 * such feature, and 22.6-22.17 only behind `--experimental-strip-types`.
 */
function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: string | false }).typescript);
}

function parsePort(source: string, value: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65_535) {
    throw new UsageError(
      `${source} must be a whole number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

function checkUrl(source: string, value: string, protocols: string[], example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source}: ${JSON.stringify(value)} is not a URL (like ${example})`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new UsageError(
      `${source}: ${JSON.stringify(value)} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (like ${example})`,
    );
  }
  return value;
}

/**
 * A URL as it may be printed: the password replaced by `***`.
 *
 * @example
 * ```ts
 * redactUrl('redis://:secret@cache:6379'); // 'redis://:***@cache:6379'
 * ```
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** The config file: the one named, else the first default one in `cwd`, else none. */
function configPath(flags: ServeFlags, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = flags.config ?? (env.QADMIN_CONFIG || undefined);
  if (named !== undefined) {
    const path = resolve(cwd, named);
    const from = flags.config !== undefined ? '--config' : 'QADMIN_CONFIG';
    if (!existsSync(path)) throw new UsageError(`${from}: no such file ${path}`);
    return path;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** Reads and checks the config file: JSON, or a module whose default export is the config. */
export async function loadConfigFile(path: string): Promise<z.output<typeof configSchema>> {
  let raw: unknown;
  if (extname(path) === '.json') {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `config file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    if (TYPESCRIPT_EXTENSIONS.has(extname(path)) && !nodeStripsTypes()) {
      throw new UsageError(
        `config file ${path}: Node ${process.versions.node} cannot load TypeScript: run qadmin with Node 22.18+ (or 23.6+), which strips types by itself, or write the config as qadmin.config.mjs or qadmin.config.json`,
      );
    }
    try {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      raw = module.default ?? module;
      if (typeof raw === 'function') raw = await (raw as () => unknown)();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const hint =
        code === 'ERR_UNKNOWN_FILE_EXTENSION'
          ? ' (this Node cannot load that file type: use qadmin.config.json or .mjs)'
          : code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX'
            ? ' (Node only strips types: enums, namespaces and parameter properties need a build step)'
            : '';
      throw new UsageError(
        `config file ${path}: ${error instanceof Error ? error.message : String(error)}${hint}`,
      );
    }
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new UsageError(`config file ${path}: ${field}: ${issue.message}`);
  }
  return result.data;
}

const asList = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** Gives each source an id, `bullmq`, `bullmq-2`, ..., unless it named its own; refuses repeats. */
function assignIds<T extends { id?: string | undefined }>(
  entries: T[],
  base: string,
  taken: Set<string>,
): (T & { id: string })[] {
  const named = entries.filter((entry) => entry.id !== undefined);
  for (const entry of named) {
    const id = entry.id!;
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
      throw new UsageError(`source id ${JSON.stringify(id)} may hold only letters, digits, _ . -`);
    }
    if (taken.has(id)) throw new UsageError(`two sources have the id ${JSON.stringify(id)}`);
    taken.add(id);
  }
  let next = 1;
  return entries.map((entry) => {
    if (entry.id !== undefined) return entry as T & { id: string };
    let id = next === 1 ? base : `${base}-${next}`;
    while (taken.has(id)) id = `${base}-${++next}`;
    next++;
    taken.add(id);
    return { ...entry, id };
  });
}

/**
 * Merges flags, environment, config file and defaults into checked
 * {@link ServeSettings}. Each setting takes the first place that has it; the
 * sources (`demo`, `redis`, `postgres`) are taken as one group, so that
 * `qadmin serve --demo` shows the demo alone even when the config file names
 * a Redis. Throws {@link UsageError} for anything wrong.
 *
 * @example
 * ```ts
 * const settings = await resolveServeSettings({ demo: true, port: '0' }, {}, process.cwd());
 * ```
 */
export async function resolveServeSettings(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ServeSettings> {
  const configFile = configPath(flags, env, cwd);
  const file = configFile ? await loadConfigFile(configFile) : {};
  const fileWhere = (field: string) => `${configFile} ${field}`;

  const host = flags.host ?? (env.QADMIN_HOST || undefined) ?? file.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');

  const port =
    flags.port !== undefined
      ? parsePort('--port', flags.port)
      : env.QADMIN_PORT
        ? parsePort('QADMIN_PORT', env.QADMIN_PORT)
        : (file.port ?? 3000);

  const rawBasePath = flags['base-path'] ?? (env.QADMIN_BASE_PATH || undefined) ?? file.basePath;
  let basePath = '';
  if (rawBasePath !== undefined) {
    if (!rawBasePath.startsWith('/')) {
      throw new UsageError(
        `--base-path must start with / (like /queues), not ${JSON.stringify(rawBasePath)}`,
      );
    }
    try {
      basePath = normalizeBasePath(rawBasePath);
    } catch (error) {
      throw new UsageError(`--base-path: ${(error as Error).message}`);
    }
  }

  const logFormat =
    flags['log-format'] !== undefined
      ? parseLogFormat('--log-format', flags['log-format'])
      : env.QADMIN_LOG_FORMAT
        ? parseLogFormat('QADMIN_LOG_FORMAT', env.QADMIN_LOG_FORMAT)
        : (file.logFormat ?? 'text');
  const accessLog =
    flags['access-log'] ??
    envBoolean('QADMIN_ACCESS_LOG', env.QADMIN_ACCESS_LOG) ??
    file.accessLog ??
    false;

  const title = flags.title ?? (env.QADMIN_TITLE || undefined) ?? file.title ?? 'qadmin';
  if (title.trim() === '') throw new UsageError('--title must not be empty');
  const readOnly =
    flags['read-only'] ??
    envBoolean('QADMIN_READ_ONLY', env.QADMIN_READ_ONLY) ??
    file.readOnly ??
    false;
  const noUi = envBoolean('QADMIN_NO_UI', env.QADMIN_NO_UI);
  const ui = flags.ui ?? (noUi === undefined ? undefined : !noUi) ?? file.ui ?? true;
  const unsafeAnonymousWrites =
    flags['unsafe-anonymous-writes'] ??
    envBoolean('QADMIN_UNSAFE_ANONYMOUS_WRITES', env.QADMIN_UNSAFE_ANONYMOUS_WRITES) ??
    file.unsafeAnonymousWrites ??
    false;

  const prefixes = flags.prefix ?? envList(env.QADMIN_PREFIX) ?? asList(file.prefix) ?? ['bull'];
  if (prefixes.some((prefix) => prefix.trim() === '')) {
    throw new UsageError('--prefix must not be empty');
  }
  const pgbossSchema =
    flags['pgboss-schema'] ??
    (env.QADMIN_PGBOSS_SCHEMA || undefined) ??
    file.pgbossSchema ??
    'pgboss';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(pgbossSchema)) {
    throw new UsageError(`--pgboss-schema: ${JSON.stringify(pgbossSchema)} is not a schema name`);
  }

  // Sources as one group: the first place that names any of them decides all of them.
  type Entry<T> = { where: string; value: T };
  let demo = false;
  let redisEntries: Entry<z.output<typeof redisEntry>>[] = [];
  let postgresEntries: Entry<z.output<typeof postgresEntry>>[] = [];
  // Collector files: a flag or variable is relative to where the command runs, the config file's to the file.
  let collectorEntries: (Entry<z.output<typeof collectorEntry>> & { base: string })[] = [];
  const flagRedis = flags.redis ?? [];
  const flagPostgres = flags.postgres ?? [];
  const flagCollector = flags.collector ?? [];
  const envRedis = envList(env.QADMIN_REDIS) ?? [];
  const envPostgres = envList(env.QADMIN_POSTGRES) ?? [];
  const envCollector = envList(env.QADMIN_COLLECTOR) ?? [];
  const envDemo = envBoolean('QADMIN_DEMO', env.QADMIN_DEMO) === true;
  if (
    flags.demo === true ||
    flagRedis.length > 0 ||
    flagPostgres.length > 0 ||
    flagCollector.length > 0
  ) {
    demo = flags.demo === true;
    redisEntries = flagRedis.map((value) => ({ where: '--redis', value }));
    postgresEntries = flagPostgres.map((value) => ({ where: '--postgres', value }));
    collectorEntries = flagCollector.map((value) => ({ where: '--collector', value, base: cwd }));
  } else if (envDemo || envRedis.length > 0 || envPostgres.length > 0 || envCollector.length > 0) {
    demo = envDemo;
    redisEntries = envRedis.map((value) => ({ where: 'QADMIN_REDIS', value }));
    postgresEntries = envPostgres.map((value) => ({ where: 'QADMIN_POSTGRES', value }));
    collectorEntries = envCollector.map((value) => ({
      where: 'QADMIN_COLLECTOR',
      value,
      base: cwd,
    }));
  } else {
    demo = file.demo === true;
    redisEntries = (asList(file.redis) ?? []).map((value, index) => ({
      where: fileWhere(`redis[${index}]`),
      value,
    }));
    postgresEntries = (asList(file.postgres) ?? []).map((value, index) => ({
      where: fileWhere(`postgres[${index}]`),
      value,
    }));
    collectorEntries = (asList(file.collector) ?? []).map((value, index) => ({
      where: fileWhere(`collector[${index}]`),
      value,
      base: configFile ? dirname(configFile) : cwd,
    }));
  }

  const taken = new Set<string>(demo ? ['memory'] : []);
  const redis: RedisSource[] = assignIds(
    redisEntries.map(({ where, value }) => {
      const entry = typeof value === 'string' ? { url: value } : value;
      return {
        url: checkUrl(where, entry.url, ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
        prefixes: asList(entry.prefix) ?? prefixes,
        id: entry.id,
        label: entry.label,
      };
    }),
    'bullmq',
    taken,
  );
  const postgres: PostgresSource[] = assignIds(
    postgresEntries.map(({ where, value }) => {
      const entry = typeof value === 'string' ? { url: value } : value;
      return {
        url: checkUrl(
          where,
          entry.url,
          ['postgres:', 'postgresql:'],
          'postgres://user:password@127.0.0.1:5432/app',
        ),
        schema: entry.schema ?? pgbossSchema,
        id: entry.id,
        label: entry.label,
      };
    }),
    'pgboss',
    taken,
  );
  const collectors: CollectorSource[] = assignIds(
    collectorEntries.map(({ where, value, base }) => {
      const entry = typeof value === 'string' ? { file: value } : value;
      if (entry.file.trim() === '') throw new UsageError(`${where} must name a file`);
      return { file: resolve(base, entry.file), id: entry.id, label: entry.label };
    }),
    'collector',
    taken,
  );
  if (!demo && redis.length === 0 && postgres.length === 0 && collectors.length === 0) {
    throw new UsageError(
      'no source: give --redis URL, --postgres URL, --collector FILE or --demo (or QADMIN_REDIS / QADMIN_POSTGRES / QADMIN_COLLECTOR, or a qadmin.config.json)',
    );
  }
  const ingestTokens = envList(env.QADMIN_INGEST_TOKENS) ?? file.ingestTokens ?? [];
  for (const [index, token] of ingestTokens.entries()) {
    if (token.length < 24) {
      throw new UsageError(
        `ingest token ${index + 1} (QADMIN_INGEST_TOKENS or ingestTokens) must be at least 24 characters`,
      );
    }
  }

  // A flag or variable is relative to where the command runs; the config file's value to the file.
  const stateDirFrom: [string, string, string] | undefined =
    flags['state-dir'] !== undefined
      ? ['--state-dir', flags['state-dir'], cwd]
      : env.QADMIN_STATE_DIR
        ? ['QADMIN_STATE_DIR', env.QADMIN_STATE_DIR, cwd]
        : file.stateDir !== undefined && configFile
          ? [fileWhere('stateDir'), file.stateDir, dirname(configFile)]
          : undefined;
  if (stateDirFrom && stateDirFrom[1].trim() === '') {
    throw new UsageError(`${stateDirFrom[0]} must not be empty`);
  }
  const stateDir = stateDirFrom
    ? resolve(stateDirFrom[2], stateDirFrom[1])
    : resolve(cwd, '.qadmin');

  const users = file.auth?.users ?? [];
  const tokens = file.auth?.tokens ?? [];
  const sessionSecret =
    (env.QADMIN_SESSION_SECRET || undefined) ?? file.auth?.sessionSecret ?? undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new UsageError('the session secret must be at least 32 characters');
  }
  if (unsafeAnonymousWrites) {
    if (!isLoopback(host)) {
      throw new UsageError(
        `--unsafe-anonymous-writes lets anyone change jobs, so it is only allowed on 127.0.0.1, localhost or ::1, not on ${host}: configure auth.users or auth.tokens instead`,
      );
    }
    if (users.length > 0 || tokens.length > 0) {
      throw new UsageError(
        '--unsafe-anonymous-writes cannot be combined with auth users or tokens: with a login configured, log in to make changes',
      );
    }
  }

  return {
    host,
    port,
    basePath,
    title,
    readOnly,
    ui,
    demo,
    redis,
    postgres,
    collectors,
    ingestTokens,
    users,
    tokens,
    sessionSecret,
    unsafeAnonymousWrites,
    stateDir,
    configFile,
    logFormat,
    accessLog,
  };
}
