/**
 * The dashboard every adapter scenario runs against: a memory backend seeded
 * with known jobs, and a temporary UI directory with known files.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend } from '@qadmin/backend-memory';
import { createAdmin, type QadminApp } from '@qadmin/core';

/**
 * Queue ids of the fixture, as the API names them.
 *
 * @example
 * ```ts
 * await getJson(url(`api/queues/${encodeURIComponent(QUEUES.reports)}`));
 * ```
 */
export const QUEUES = {
  /** Read and acted on: jobs in most states, logs, schedules, a worker. */
  emails: 'memory:emails',
  /** Never changed by any scenario, so its counts can be asserted exactly. */
  reports: 'memory:reports',
  /** Where scenarios add and clean jobs. */
  scratch: 'memory:scratch',
} as const;

/**
 * The counts of `memory:reports`, which no scenario changes.
 *
 * @example
 * ```ts
 * expect(queue.counts).toMatchObject(REPORTS_COUNTS);
 * ```
 */
export const REPORTS_COUNTS = { waiting: 1, completed: 1, failed: 0, active: 0 } as const;

/**
 * A job id that needs encoding in a path segment: a slash, a `#`, a `?`, a
 * space, non-ASCII. An adapter that hands core a decoded path loses it.
 *
 * @example
 * ```ts
 * url(`api/queues/memory%3Aemails/jobs/${encodeURIComponent(AWKWARD_JOB_ID)}`);
 * ```
 */
export const AWKWARD_JOB_ID = 'invoice/2024 #7?ü';

/**
 * The worker that holds the active job of `memory:emails`.
 *
 * @example
 * ```ts
 * expect(workers.map((w) => w.id)).toContain(WORKER_ID);
 * ```
 */
export const WORKER_ID = 'contract-worker';

/**
 * Log lines of the failed job `ids.failedWithLogs` of `memory:emails`.
 *
 * @example
 * ```ts
 * expect(page.lines.map((l) => l.message)).toEqual(LOG_LINES);
 * ```
 */
export const LOG_LINES = [
  'connecting to smtp.example.com:587',
  'timeout after <b>30 s</b> & gave up',
];

/**
 * What marks the contract's own `index.html`, to tell it from anything a host app serves.
 *
 * @example
 * ```ts
 * expect(html).toContain(INDEX_MARKER);
 * ```
 */
export const INDEX_MARKER = 'qadmin-adapter-contract-index';

/**
 * A UI file with a content hash in its name: cached for a year.
 *
 * @example
 * ```ts
 * await rawRequest(origin, `${mountPath}/${HASHED_ASSET}`);
 * ```
 */
export const HASHED_ASSET = 'assets/app-3f9a1c2b.js';

/**
 * A UI file without a hash in its name: revalidated on every use.
 *
 * @example
 * ```ts
 * await fetch(url(UNHASHED_FILE));
 * ```
 */
export const UNHASHED_FILE = 'robots.txt';

/**
 * Written next to (outside) the UI directory and in a dotfile inside it: a
 * response that contains it leaked a file it must not serve.
 *
 * @example
 * ```ts
 * expect(body).not.toContain(SECRET_TEXT);
 * ```
 */
export const SECRET_TEXT = 'qadmin-adapter-contract-secret-outside-ui-dir';

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>placeholder</title>
<script type="module" src="${HASHED_ASSET}"></script>
</head>
<body><qadmin-app></qadmin-app><!-- ${INDEX_MARKER} --></body>
</html>
`;

/**
 * The bytes of {@link HASHED_ASSET}: a few KB of script, so that
 * compression is worth it.
 *
 * @example
 * ```ts
 * expect(gunzipSync(response.body).toString('utf8')).toBe(HASHED_ASSET_BODY);
 * ```
 */
export const HASHED_ASSET_BODY = Array.from(
  { length: 120 },
  (_, i) => `console.debug('qadmin adapter contract asset line ${i}', ${i * 7});\n`,
).join('');

/**
 * The bytes of {@link UNHASHED_FILE}.
 *
 * @example
 * ```ts
 * expect(await response.text()).toBe(UNHASHED_FILE_BODY);
 * ```
 */
export const UNHASHED_FILE_BODY = 'User-agent: *\nDisallow: /\n';

function largeText(bytes: number): string {
  const unit = 'qadmin Ω € 東京 😀 <b>&amp;</b> "quoted" \\ back\tslash\n';
  const repeat = Math.ceil(bytes / Buffer.byteLength(unit));
  return `${unit.repeat(repeat)}END-OF-LARGE-PAYLOAD`;
}

/**
 * Data no layer may alter: markup, quotes, escapes, control characters,
 * line separators, astral and combining characters, RTL overrides, and a
 * string of about 300 KB (several TCP chunks, multi-byte characters across
 * chunk boundaries).
 *
 * @example
 * ```ts
 * expect(job.data).toStrictEqual(HOSTILE_PAYLOAD);
 * ```
 */
export const HOSTILE_PAYLOAD = {
  html: '</script><script>alert("qadmin")</script><img src=x onerror="alert(1)">',
  entities: '&amp; &lt;b&gt; &#x27; %3Cscript%3E',
  quotes: `"'\`\${}\\n\\u0000`,
  control: '\u0000\u0001\u001f\u007f\u2028\u2029\t\r\n',
  unicode: 'Zoë • 東京 • עברית \u202e txt.exe • 👩‍👩‍👧‍👦 • e\u0301 • 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  nested: { array: [1, -0.5, 1e21, true, null, '', {}], 'key with "quotes" & <tags>': 'ok' },
  large: largeText(300 * 1024),
} as const;

/**
 * Ids of the seeded jobs the scenarios use.
 *
 * @example
 * ```ts
 * url(`api/queues/memory%3Aemails/jobs/${encodeURIComponent(fixture.ids.hostile)}`);
 * ```
 */
export interface SeededIds {
  /** `memory:emails`, waiting, with {@link HOSTILE_PAYLOAD} as data. */
  hostile: string;
  /** `memory:emails`, waiting, id {@link AWKWARD_JOB_ID}. */
  awkward: string;
  /** `memory:emails`, failed, with {@link LOG_LINES}; read only. */
  failedWithLogs: string;
  /** `memory:emails`, failed; the job-action scenario retries it. */
  failedToRetry: string;
  /** `memory:emails`, two completed jobs, oldest first; read only. */
  completed: string[];
  /** `memory:emails`, active, held by {@link WORKER_ID}. */
  active: string;
}

/**
 * The schedules the scenarios use.
 *
 * @example
 * ```ts
 * await fetch(url(`api/queues/memory%3Aemails/schedules/${SCHEDULES.removable}`), { method: 'DELETE' });
 * ```
 */
export const SCHEDULES = {
  /** On `memory:reports`; read only. */
  kept: 'nightly',
  /** On `memory:emails`; the DELETE scenario removes it. */
  removable: 'digest',
} as const;

/**
 * The admin, its seeded ids, and what to clean up.
 *
 * @example
 * ```ts
 * const fixture: ContractFixture = await createContractFixture();
 * await fixture.dispose();
 * ```
 */
export interface ContractFixture {
  admin: QadminApp;
  ids: SeededIds;
  uiDir: string;
  /** Closes the admin (and the backend) and removes the temporary files. */
  dispose(): Promise<void>;
}

/** A pattern that runs once a year, so no scheduled job appears while the suite runs. */
const YEARLY = '0 0 1 1 *';

/**
 * Builds a fresh admin over a seeded memory backend, with a temporary UI
 * directory. Each call is independent.
 *
 * @example
 * ```ts
 * const { admin, ids, dispose } = await createContractFixture();
 * const harness = await makeHarness(admin, { basePath: '' });
 * ```
 */
export async function createContractFixture(): Promise<ContractFixture> {
  const root = await mkdtemp(join(tmpdir(), 'qadmin-adapter-contract-'));
  const uiDir = join(root, 'ui');
  await mkdir(join(uiDir, 'assets'), { recursive: true });
  await Promise.all([
    writeFile(join(uiDir, 'index.html'), INDEX_HTML),
    writeFile(join(uiDir, HASHED_ASSET), HASHED_ASSET_BODY),
    writeFile(join(uiDir, UNHASHED_FILE), UNHASHED_FILE_BODY),
    writeFile(join(uiDir, '.env'), `SECRET=${SECRET_TEXT}\n`),
    writeFile(join(root, 'secret.txt'), SECRET_TEXT),
  ]);

  const backend = createMemoryBackend();
  const emails = backend.queue('emails');
  const completed: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { id } = emails.add('send', { to: `done-${i}@example.com` });
    emails.takeNext({ id });
    emails.complete(id, { delivered: true });
    completed.push(id);
  }
  const failed = (to: string): string => {
    const { id } = emails.add('send', { to });
    emails.takeNext({ id });
    emails.fail(id, new Error('SMTP timeout after 30000 ms'));
    return id;
  };
  const failedWithLogs = failed('logs@example.com');
  for (const line of LOG_LINES) emails.log(failedWithLogs, line);
  const failedToRetry = failed('retry@example.com');
  const hostile = emails.add('hostile', HOSTILE_PAYLOAD).id;
  const awkward = emails.add('send', { to: 'awkward@example.com' }, { jobId: AWKWARD_JOB_ID }).id;
  emails.add('send', { to: 'later@example.com' }, { delayMs: 3_600_000 });
  const active = emails.add('send', { to: 'busy@example.com' }).id;
  emails.takeNext({ id: active, workerId: WORKER_ID });
  emails.upsertSchedule({ id: SCHEDULES.removable, jobName: 'send', pattern: YEARLY });

  const reports = backend.queue('reports');
  reports.add('build', { month: '2024-01' });
  const built = reports.add('build', { month: '2023-12' }).id;
  reports.takeNext({ id: built });
  reports.complete(built, { pages: 12 });
  reports.upsertSchedule({ id: SCHEDULES.kept, jobName: 'build', pattern: YEARLY });

  const scratch = backend.queue('scratch');
  for (let i = 0; i < 2; i++) {
    const { id } = scratch.add('tmp', { i });
    scratch.takeNext({ id });
    scratch.complete(id, null);
  }

  const admin = createAdmin({
    backends: [backend],
    uiDir,
    title: 'Adapter contract',
    // The contract checks what adapters carry, the UI's CSRF header included; who may
    // write is core's to test.
    unsafeAnonymousWrites: true,
    warn: () => {},
  });
  return {
    admin,
    ids: { hostile, awkward, failedWithLogs, failedToRetry, completed, active },
    uiDir,
    async dispose() {
      await admin.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
