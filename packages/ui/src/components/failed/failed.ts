import { ContextConsumer } from '@lit/context';
import { initialState, Task, TaskStatus } from '@lit/task';
import type { ApiJobPage, ApiJobSummary, Overview, QueueDetail, QueueOverview } from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { AuthController } from '../../shared/auth';
import { configContext, type QadminApi } from '../../shared/context';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatNumber, timeAgo } from '../../shared/format';
import { LiveController } from '../../shared/live';
import { routePath } from '../../shared/routes';
import { tokens, viewStyles } from '../../shared/styles';
import type { KeyboardView } from '../app/app';
import { failedStyles } from './failed.styles';

/** Failed jobs loaded per queue (the newest). */
const PAGE_SIZE = 20;
/** Queues read at the same time. */
const CONCURRENCY = 6;
/** Failed counts changing refetch at most this often. */
const MIN_REFRESH_MS = 2_000;

/** The queues with failed jobs the list was (or is being) loaded for. */
interface Targets {
  key: string;
  queues: QueueOverview[];
}

/** What one queue answered. */
interface QueueResult {
  queue: QueueOverview;
  detail: QueueDetail | undefined;
  page: ApiJobPage | undefined;
  error: unknown;
}

interface Loaded {
  queues: QueueResult[];
  jobs: ApiJobSummary[];
}

type JobActionState =
  | { status: 'pending' }
  | { status: 'done' }
  | { status: 'error'; message: string };

interface RetryAll {
  queue: QueueOverview;
  count: number;
  text: string;
  busy: boolean;
  error: string | undefined;
}

/**
 * The dead-letter view: the newest failed jobs of every queue that has any,
 * merged newest first, with why each failed, a retry button per job and
 * "retry all" per queue (confirmed by typing the queue's name). Refreshes when
 * the live overview's failed counts change (at most every 2 s); a queue that
 * cannot be read shows its error without hiding the others.
 *
 * @summary Failed jobs across every queue.
 * @csspart header - The title bar.
 * @csspart summary - The per-queue lines (count, retry all, errors).
 * @csspart table - The failed jobs table.
 * @csspart row - One failed job's row.
 * @cssproperty --qadmin-color-danger - Failure counts and destructive buttons.
 * @cssproperty --qadmin-color-accent - Links and focus rings.
 */
export class QadminFailed extends QadminElement implements KeyboardView {
  static override styles = [tokens, viewStyles, failedStyles];
  static override properties: PropertyDeclarations = {
    targets: { state: true },
    actions: { state: true },
    retryAll: { state: true },
    notice: { state: true },
  };

  declare targets: Targets | undefined;
  declare actions: ReadonlyMap<string, JobActionState>;
  declare retryAll: RetryAll | undefined;
  declare notice: string;

  #config = new ContextConsumer(this, { context: configContext, subscribe: true });
  #details = new WeakMap<QadminApi, Map<string, QueueDetail>>();
  #last: Loaded | undefined;
  #appliedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  #auth = new AuthController(this, () => this.client);
  #live = new LiveController(
    this,
    () => this.client,
    (message) => {
      if (message.kind === 'event' && message.event.type === 'overview') {
        this.#onOverview(message.event.overview);
      }
    },
  );

  #task = new Task(this, {
    task: async ([client, targets], { signal }) => {
      if (!targets) return initialState;
      return this.#load(client, targets.queues, signal);
    },
    args: () => [this.client, this.targets] as const,
    onComplete: (loaded) => {
      this.#last = loaded;
    },
  });

  constructor() {
    super();
    this.actions = new Map();
    this.notice = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  protected override willUpdate(): void {
    // The shared feed may already hold an overview when this element connects.
    const overview = this.#live.feed?.overview;
    if (!this.targets && overview) this.#apply(overview);
  }

  /** Reloads when the failed counts changed, at most every 2 s (the latest counts win). */
  #onOverview(overview: Overview): void {
    if (targetsOf(overview).key === this.targets?.key) return;
    if (!this.targets) {
      this.#apply(overview);
      return;
    }
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#appliedAt + MIN_REFRESH_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const latest = this.#live.feed?.overview;
      if (latest && this.isConnected) this.#apply(latest);
    }, wait);
  }

  #apply(overview: Overview): void {
    const targets = targetsOf(overview);
    if (targets.key === this.targets?.key) return;
    this.#appliedAt = Date.now();
    this.targets = targets;
  }

  async #load(client: QadminApi, queues: QueueOverview[], signal: AbortSignal): Promise<Loaded> {
    let details = this.#details.get(client);
    if (!details) {
      details = new Map();
      this.#details.set(client, details);
    }
    const cache = details;
    const limit = limiter(CONCURRENCY);
    const results = await Promise.all(
      queues.map(async (queue): Promise<QueueResult> => {
        const cached = cache.get(queue.id);
        const [detail, page] = await Promise.allSettled([
          cached ?? limit(() => client.queue(queue.id, { signal })),
          limit(() => client.listJobs(queue.id, { state: 'failed', limit: PAGE_SIZE }, { signal })),
        ]);
        if (detail.status === 'fulfilled') cache.set(queue.id, detail.value);
        return {
          queue,
          detail: detail.status === 'fulfilled' ? detail.value : undefined,
          page: page.status === 'fulfilled' ? page.value : undefined,
          error: page.status === 'rejected' ? page.reason : undefined,
        };
      }),
    );
    signal.throwIfAborted();
    const jobs = results
      .flatMap((result) =>
        (result.page?.jobs ?? []).map((job) => ({
          ...job,
          queueId: job.queueId || result.queue.id,
        })),
      )
      .sort(newestFirst);
    return { queues: results, jobs };
  }

  get #readOnly(): boolean {
    return Boolean(this.#config.value?.readOnly || this.#live.feed?.overview?.readOnly);
  }

  #canRetry(detail: QueueDetail | undefined): boolean {
    return Boolean(
      detail &&
        !detail.readOnly &&
        !this.#readOnly &&
        detail.capabilities.jobActions.includes('retry') &&
        this.#auth.can('job.retry'),
    );
  }

  #canRetryAll(detail: QueueDetail | undefined): boolean {
    return Boolean(
      detail &&
        !detail.readOnly &&
        !this.#readOnly &&
        detail.capabilities.bulkActions.includes('retry-all') &&
        this.#auth.can('queue.retry-all') &&
        detail.capabilities.retryAllStates.includes('failed'),
    );
  }

  async #retry(job: ApiJobSummary): Promise<void> {
    const key = jobKey(job);
    this.#setAction(key, { status: 'pending' });
    try {
      await this.client.jobAction(job.queueId, job.id, { type: 'retry' });
      this.#setAction(key, { status: 'done' });
      this.notice = `Job ${job.id} of ${queueName(job.queueId)} will be retried.`;
    } catch (error) {
      this.#setAction(key, { status: 'error', message: errorMessage(error) });
    }
  }

  #setAction(key: string, state: JobActionState): void {
    const next = new Map(this.actions);
    next.set(key, state);
    this.actions = next;
  }

  #openRetryAll(queue: QueueOverview, count: number): void {
    this.retryAll = { queue, count, text: '', busy: false, error: undefined };
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Opened when a confirmation starts, not on every update while it lasts.
    if (!changed.has('retryAll') || changed.get('retryAll') !== undefined) return;
    const dialog = this.renderRoot.querySelector('dialog');
    if (this.retryAll && dialog && !dialog.open) {
      dialog.showModal();
      dialog.querySelector('input')?.focus();
    }
  }

  async #confirmRetryAll(event: Event): Promise<void> {
    event.preventDefault();
    const pending = this.retryAll;
    if (!pending || pending.busy || pending.text !== pending.queue.name) return;
    this.retryAll = { ...pending, busy: true, error: undefined };
    try {
      const { affected } = await this.client.bulkAction(pending.queue.id, {
        type: 'retry-all',
        state: 'failed',
      });
      this.notice = `${formatNumber(affected)} failed ${affected === 1 ? 'job' : 'jobs'} of ${pending.queue.name} will be retried.`;
      this.retryAll = undefined;
      this.renderRoot.querySelector('dialog')?.close();
      void this.#task.run();
    } catch (error) {
      this.retryAll = { ...pending, busy: false, error: errorMessage(error) };
    }
  }

  #onDialogClose(): void {
    this.retryAll = undefined;
  }

  /** `j` / `k`: moves the focus between the jobs. */
  moveFocus(delta: 1 | -1): void {
    const links = [...this.renderRoot.querySelectorAll<HTMLAnchorElement>('a.job')];
    if (links.length === 0) return;
    const current = links.indexOf(this.shadowRoot?.activeElement as HTMLAnchorElement);
    const next = current === -1 ? (delta === 1 ? 0 : links.length - 1) : current + delta;
    links[Math.min(links.length - 1, Math.max(0, next))]?.focus();
  }

  #queueHref(queueId: string, state?: string): string {
    const path = routePath({ view: 'queue', queueId });
    return this.href(state ? `${path}?state=${state}` : path);
  }

  #summary(loaded: Loaded | undefined, overview: Overview | undefined): TemplateResult {
    const targets = this.targets?.queues ?? [];
    const results = new Map(loaded?.queues.map((result) => [result.queue.id, result]));
    const labels = new Map(overview?.backends.map((backend) => [backend.id, backend.label]));
    return html`<ul class="summary" part="summary" aria-label="Queues with failed jobs">
      ${repeat(
        targets,
        (queue) => queue.id,
        (target) => {
          const queue = overview?.queues.find((q) => q.id === target.id) ?? target;
          const count = queue.counts.failed ?? 0;
          const result = results.get(queue.id);
          const shown = result?.page?.jobs.length ?? 0;
          return html`<li>
            <a class="queue" href=${this.#queueHref(queue.id, 'failed')}>${queue.name}</a>
            <span class="muted backend">${labels.get(queue.backend) ?? queue.backend}</span>
            <span class="count">${formatNumber(count)} failed</span>
            ${
              result?.page && count > shown
                ? html`<span class="muted">showing the newest ${formatNumber(shown)}</span>`
                : nothing
            }
            ${
              this.#canRetryAll(result?.detail) && count > 0
                ? html`<button
                  type="button"
                  class="danger small"
                  @click=${() => this.#openRetryAll(queue, count)}
                  aria-label="Retry all ${count} failed jobs of ${queue.name}"
                >
                  Retry all
                </button>`
                : nothing
            }
            ${
              result?.error !== undefined
                ? html`<span class="error" role="alert"
                  >Could not load the failed jobs: ${errorMessage(result.error)}</span
                >`
                : nothing
            }
          </li>`;
        },
      )}
    </ul>`;
  }

  #retryCell(job: ApiJobSummary, detail: QueueDetail | undefined): TemplateResult | typeof nothing {
    if (!this.#canRetry(detail)) return nothing;
    const state = this.actions.get(jobKey(job));
    if (state?.status === 'done') return html`<span class="ok">Retried</span>`;
    return html`<button
        type="button"
        class="small"
        ?disabled=${state?.status === 'pending'}
        @click=${() => this.#retry(job)}
        aria-label="Retry job ${job.id} of ${queueName(job.queueId)}"
      >
        Retry
      </button>
      ${
        state?.status === 'error'
          ? html`<span class="error" role="alert">${state.message}</span>`
          : nothing
      }`;
  }

  #table(loaded: Loaded): TemplateResult {
    const details = new Map(loaded.queues.map((result) => [result.queue.id, result.detail]));
    const anyRetry = loaded.queues.some((result) => this.#canRetry(result.detail));
    return html`<div class="table-wrap"><table part="table">
      <caption class="sr-only">
        Newest failed jobs of every queue, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col">Job</th>
          <th scope="col">Name</th>
          <th scope="col">Failure reason</th>
          <th scope="col" class="num">Attempts</th>
          <th scope="col">Finished</th>
          ${anyRetry ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${repeat(
          loaded.jobs,
          jobKey,
          (job) => html`<tr part="row">
            <td><a href=${this.#queueHref(job.queueId)}>${queueName(job.queueId)}</a></td>
            <td>
              <a
                class="job mono"
                href=${this.href(routePath({ view: 'job', queueId: job.queueId, jobId: job.id }))}
                >${job.id}</a
              >
            </td>
            <td>${job.name}</td>
            <td class="reason" title=${job.failedReason ?? ''}>
              ${job.failedReason ?? html`<span class="muted">—</span>`}
            </td>
            <td class="num">
              ${job.attemptsMade}${job.attemptsAllowed === null ? '' : html`<span class="muted">/${job.attemptsAllowed}</span>`}
            </td>
            <td>${timeAgo(job.finishedAt)}</td>
            ${anyRetry ? html`<td class="actions">${this.#retryCell(job, details.get(job.queueId))}</td>` : nothing}
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  #dialog(): TemplateResult {
    const pending = this.retryAll;
    const name = pending?.queue.name ?? '';
    const matches = pending !== undefined && pending.text === name;
    return html`<dialog aria-labelledby="retry-all-title" @close=${this.#onDialogClose}>
      ${
        pending
          ? html`<form @submit=${this.#confirmRetryAll}>
            <h2 id="retry-all-title">Retry every failed job of ${name}?</h2>
            <p>
              This re-runs <strong>${formatNumber(pending.count)}</strong> failed
              ${pending.count === 1 ? 'job' : 'jobs'} of queue <strong>${name}</strong>
              <span class="muted">(${pending.queue.id})</span>.
            </p>
            <label class="confirm-field">
              <span>Type <strong class="mono">${name}</strong> to confirm</span>
              <input
                autocomplete="off"
                spellcheck="false"
                .value=${pending.text}
                @input=${(event: Event) => {
                  if (this.retryAll) {
                    this.retryAll = {
                      ...this.retryAll,
                      text: (event.target as HTMLInputElement).value,
                    };
                  }
                }}
              />
            </label>
            ${
              pending.error
                ? html`<p class="error" role="alert">Retry all failed: ${pending.error}</p>`
                : nothing
            }
            <div class="dialog-actions">
              <button type="button" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>
                Cancel
              </button>
              <button type="submit" class="danger primary" ?disabled=${!matches || pending.busy}>
                ${pending.busy ? 'Retrying…' : `Retry ${formatNumber(pending.count)} jobs`}
              </button>
            </div>
          </form>`
          : nothing
      }
    </dialog>`;
  }

  protected override render(): TemplateResult {
    const overview = this.#live.feed?.overview;
    const pending = this.#task.status === TaskStatus.PENDING;
    const loaded = this.#task.value ?? this.#last;
    const error = this.#task.error;
    const total =
      this.targets?.queues.reduce((sum, queue) => sum + (queue.counts.failed ?? 0), 0) ?? 0;
    let body: TemplateResult;
    if (!this.targets) {
      body = html`<p class="muted loading">Loading failed jobs…</p>`;
    } else if (this.targets.queues.length === 0) {
      body = html`<div class="empty" role="status">
        <p class="empty-title">No failed jobs</p>
        <p class="muted">Every queue is clear. Jobs that fail show up here.</p>
      </div>`;
    } else {
      body = html`${this.#summary(loaded, overview)}
        ${error ? html`<p class="error" role="alert">Could not load the failed jobs: ${errorMessage(error)}</p>` : nothing}
        ${
          loaded
            ? loaded.jobs.length > 0
              ? this.#table(loaded)
              : nothing
            : html`<p class="muted loading">Loading failed jobs…</p>`
        }`;
    }
    return html`
      <header part="header">
        <h1>Failed jobs</h1>
        ${
          this.targets
            ? html`<span class="total">${formatNumber(total)} in ${this.targets.queues.length}
              ${this.targets.queues.length === 1 ? 'queue' : 'queues'}</span>`
            : nothing
        }
        <span class="busy muted" ?hidden=${!pending}>Refreshing…</span>
      </header>
      <p class="notice" role="status">${this.notice}</p>
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${body}</div>
      ${this.#dialog()}
    `;
  }
}

function targetsOf(overview: Overview): Targets {
  const queues = overview.queues.filter((queue) => (queue.counts.failed ?? 0) > 0);
  return { key: queues.map((queue) => `${queue.id}=${queue.counts.failed}`).join('\n'), queues };
}

function jobKey(job: ApiJobSummary): string {
  return `${job.queueId}\u0000${job.id}`;
}

function queueName(queueId: string): string {
  return queueId.slice(queueId.indexOf(':') + 1);
}

function newestFirst(a: ApiJobSummary, b: ApiJobSummary): number {
  const at = a.finishedAt ?? a.processedAt ?? a.createdAt;
  const bt = b.finishedAt ?? b.processedAt ?? b.createdAt;
  return bt - at || a.queueId.localeCompare(b.queueId) || b.id.localeCompare(a.id);
}

/** Runs at most `max` of the functions given to it at a time. */
function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-failed': QadminFailed;
  }
}
