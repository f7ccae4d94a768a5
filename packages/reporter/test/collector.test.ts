/**
 * The reporter end to end with the real collector on a real dashboard: what
 * a worker reports is what the dashboard API answers, and a retry asked for
 * in the dashboard reaches the worker's handler and runs the job again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReporter, type Reporter, type ReporterError } from '../src/index';
import { type Dashboard, startDashboard } from './dashboard';
import { TOKEN, waitFor } from './support';

let dashboard: Dashboard;
const reporters: Reporter[] = [];

beforeAll(async () => {
  dashboard = await startDashboard();
});

afterAll(async () => {
  await Promise.all(reporters.map((r) => r.close({ timeoutMs: 1000 })));
  await dashboard.stop();
});

function reporterFor(options: Partial<Parameters<typeof createReporter>[0]> = {}): Reporter {
  const reporter = createReporter({
    url: dashboard.url,
    token: TOKEN,
    flushIntervalMs: 10,
    commandPollMs: 50,
    closeOnExit: false,
    ...options,
  });
  reporters.push(reporter);
  return reporter;
}

describe('reporting into the collector', () => {
  it('shows each job in the state its events decide, with data, progress, result and error', async () => {
    const errors: ReporterError[] = [];
    const reporter = reporterFor({ workerName: 'mailer', onError: (e) => errors.push(e) });
    reporter.queued('emails', 'ok-1', {
      name: 'send',
      data: { to: 'a@example.com' },
      attemptsAllowed: 2,
    });
    reporter.started('emails', 'ok-1', { name: 'send' });
    reporter.progress('emails', 'ok-1', { progress: 50 });
    reporter.log('emails', 'ok-1', { message: 'connected to SMTP' });
    reporter.completed('emails', 'ok-1', { result: { messageId: 'm1' } });

    reporter.queued('emails', 'bad-1', { name: 'send', attemptsAllowed: 2 });
    reporter.started('emails', 'bad-1', { attempt: 1 });
    reporter.failed('emails', 'bad-1', {
      attempt: 1,
      error: new Error('SMTP 451'),
      willRetry: true,
      retryAt: Date.now() + 60_000,
    });
    // The last attempt's failure arrives before its start: the ranking, not the order, decides.
    reporter.failed('emails', 'bad-1', { attempt: 2, error: new Error('SMTP 550') });
    reporter.started('emails', 'bad-1', { attempt: 2 });

    reporter.queued('emails', 'later-1', { delayUntil: Date.now() + 3_600_000 });
    reporter.started('emails', 'gone-1');
    reporter.cancelled('emails', 'gone-1', { reason: 'customer left' });
    expect(await reporter.flush()).toBe(true);

    expect(await dashboard.jobIds('emails', 'completed')).toEqual(['ok-1']);
    expect(await dashboard.jobIds('emails', 'failed')).toEqual(['bad-1']);
    expect(await dashboard.jobIds('emails', 'delayed')).toEqual(['later-1']);
    expect(await dashboard.jobIds('emails', 'cancelled')).toEqual(['gone-1']);

    const ok = await dashboard.job('emails', 'ok-1');
    expect(ok).toMatchObject({
      name: 'send',
      state: 'completed',
      data: { to: 'a@example.com' },
      progress: 50,
      returnValue: { messageId: 'm1' },
      workerId: reporter.workerId,
    });
    const bad = await dashboard.job('emails', 'bad-1');
    expect(bad).toMatchObject({ state: 'failed', failedReason: 'SMTP 550', attemptsMade: 2 });
    expect(bad.stacktrace?.join('\n')).toMatch(/Error: SMTP 550/);
    const logs = await dashboard.get<{ lines: { message: string }[] }>(
      `queues/collector%3Aemails/jobs/ok-1/logs`,
    );
    expect(logs.lines.map((l) => l.message)).toEqual(['connected to SMTP']);
    expect(errors).toEqual([]);
  });

  it('lists the worker while it runs and no longer once it closed', async () => {
    const reporter = reporterFor({ workerName: 'resizer', queues: ['images'], concurrency: 2 });
    await reporter.flush();
    const workers = await dashboard.get<{ id: string; name: string | null }[]>('workers');
    expect(workers.find((w) => w.id === reporter.workerId)).toMatchObject({ name: 'resizer' });
    await reporter.close();
    const after = await dashboard.get<{ id: string }[]>('workers');
    expect(after.find((w) => w.id === reporter.workerId)).toBeUndefined();
  });

  it('runs a retry asked for in the dashboard as the next attempt, through instrument', async () => {
    let healthy = false;
    const sendEmail = async (job: { id: string; to: string; attempt: number }) => {
      if (!healthy) throw new Error('mailbox full');
      return `sent to ${job.to}`;
    };
    let send: (job: { id: string; to: string; attempt: number }) => Promise<string>;
    const runs: number[] = [];
    const reporter = reporterFor({
      queues: ['outbox'],
      onCommand: async (command) => {
        if (command.type !== 'retry') throw new Error(`cannot ${command.type}`);
        const attempt = (command.attempt ?? 0) + 1;
        runs.push(attempt);
        await send({ id: command.jobId, ...(command.data as { to: string }), attempt });
        return `ran attempt ${attempt}`;
      },
    });
    send = reporter.instrument('outbox', 'send', sendEmail, {
      jobId: (job) => job.id,
      attempt: (job) => job.attempt,
      data: (job) => ({ to: job.to }),
    });
    await expect(send({ id: 'm-7', to: 'b@example.com', attempt: 1 })).rejects.toThrow(
      'mailbox full',
    );
    await dashboard.waitForJob('outbox', 'm-7', 'failed');

    healthy = true;
    const asked = await dashboard.act('outbox', 'm-7', 'retry');
    expect(asked.nativeState).toBe('retry pending');
    const done = await dashboard.waitForJob('outbox', 'm-7', 'completed');
    expect(done).toMatchObject({ attemptsMade: 2, returnValue: 'sent to b@example.com' });
    expect(runs).toEqual([2]);
    await waitFor(
      'the command answered',
      async () => (await dashboard.job('outbox', 'm-7')).nativeState === 'completed',
    );
  });

  it('reports a refused token through onError and drops the batch', async () => {
    const errors: ReporterError[] = [];
    const reporter = reporterFor({
      token: 'not-one-of-the-ingest-tokens',
      onError: (e) => errors.push(e),
    });
    reporter.started('emails', 'x');
    expect(await reporter.flush()).toBe(true);
    expect(errors.find((e) => e.status === 401)?.message).toMatch(/401/);
    expect(reporter.stats()).toMatchObject({ sent: 0, dropped: 2 });
    await expect(dashboard.job('emails', 'x')).rejects.toThrow(/404/);
  });
});
