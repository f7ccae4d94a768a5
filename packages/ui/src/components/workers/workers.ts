import { Task, TaskStatus } from '@lit/task';
import type { ApiWorker, Overview, QueueOverview } from '@qadmin/core';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatDuration, formatNumber, timeAgo } from '../../shared/format';
import { LiveController } from '../../shared/live';
import { type NavigateDetail, routePath } from '../../shared/routes';
import { tokens, viewStyles } from '../../shared/styles';
import { workersStyles } from './workers.styles';

/** Workers are refreshed on overview events, but no more often than this. */
const MIN_REFRESH_MS = 5_000;

/**
 * The processes consuming jobs: every worker of every backend, or of one
 * queue, with the queues it serves, where it runs, how long it has been up
 * and idle, and how busy it is. Refreshes with the live overview (at most
 * every 5 s); keeps the table in place while it does.
 *
 * @summary Connected workers, optionally of one queue.
 * @event qadmin-navigate - The queue filter changed (detail: `{ path: 'workers?queue=<id>', replace: true }`). When nobody handles it (calls `preventDefault()`), the element applies the filter itself.
 * @csspart header - The title and filter bar.
 * @csspart toolbar - The queue filter.
 * @csspart table - The workers table.
 * @csspart row - One worker's row.
 * @cssproperty --qadmin-color-accent - Links and focus rings.
 * @cssproperty --qadmin-color-border - Table rules.
 */
export class QadminWorkers extends QadminElement {
  static override styles = [tokens, viewStyles, workersStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
  };

  /** Only the workers of this queue (`<backend>:<name>`); empty for every worker. */
  declare queueId: string;

  #lastRun = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last: ApiWorker[] | undefined;

  #live = new LiveController(
    this,
    () => this.client,
    (message) => {
      if (message.kind === 'event' && message.event.type === 'overview') this.#scheduleRefresh();
    },
  );

  #task = new Task(this, {
    task: async ([client, queueId], { signal }) => {
      this.#lastRun = Date.now();
      const workers = await client.workers(queueId || undefined, { signal });
      return [...workers].sort(byName);
    },
    args: () => [this.client, this.queueId] as const,
    onComplete: (workers) => {
      this.#last = workers;
    },
  });

  constructor() {
    super();
    this.queueId = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Refetches now, or when 5 s have passed since the last fetch (trailing). */
  #scheduleRefresh(): void {
    if (this.#timer !== undefined || this.#lastRun === 0) return;
    const wait = Math.max(0, this.#lastRun + MIN_REFRESH_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.isConnected) void this.#task.run();
    }, wait);
  }

  #onFilter(event: Event): void {
    const queueId = (event.target as HTMLSelectElement).value;
    const detail: NavigateDetail = {
      path: queueId ? `workers?queue=${encodeURIComponent(queueId)}` : 'workers',
      replace: true,
    };
    if (this.emit('qadmin-navigate', detail, true)) this.queueId = queueId;
  }

  #queueLink(queueId: string): TemplateResult {
    const name = queueId.slice(queueId.indexOf(':') + 1);
    return html`<a href=${this.href(routePath({ view: 'queue', queueId }))} title=${queueId}>${name}</a>`;
  }

  #filter(overview: Overview | undefined): TemplateResult {
    const queues = overview?.queues ?? [];
    const known = queues.some((queue) => queue.id === this.queueId);
    const labels = new Map(overview?.backends.map((backend) => [backend.id, backend.label]));
    return html`<label class="filter" part="toolbar">
      <span>Queue</span>
      <select @change=${this.#onFilter} .value=${this.queueId}>
        <option value="" ?selected=${!this.queueId}>All queues</option>
        ${
          this.queueId && !known
            ? html`<option value=${this.queueId} selected>${this.queueId}</option>`
            : nothing
        }
        ${queues.map(
          (queue) =>
            html`<option value=${queue.id} ?selected=${queue.id === this.queueId}>
              ${queue.name} (${labels.get(queue.backend) ?? queue.backend})
            </option>`,
        )}
      </select>
    </label>`;
  }

  #empty(overview: Overview | undefined): TemplateResult {
    const queues = (overview?.queues ?? []).filter(
      (queue) => !this.queueId || queue.id === this.queueId,
    );
    const waiting = queues.filter((queue) => backlog(queue) > 0);
    const total = waiting.reduce((sum, queue) => sum + backlog(queue), 0);
    return html`<div class="empty" role="status">
      <p class="empty-title">
        ${this.queueId ? 'No workers are connected to this queue' : 'No workers are connected'}
      </p>
      ${
        total > 0
          ? html`<p class="hint">
            ${formatNumber(total)} ${total === 1 ? 'job is' : 'jobs are'} waiting in
            ${waiting.map(
              (queue, i) => html`${i > 0 ? ', ' : ''}${this.#queueLink(queue.id)}`,
            )}: ${total === 1 ? 'it does' : 'they do'} not run until a worker connects. Check
            that the worker processes are running and reach the same backend.
          </p>`
          : html`<p class="hint muted">Workers appear here once they connect to the backend.</p>`
      }
    </div>`;
  }

  #table(workers: ApiWorker[], labels: Map<string, string>): TemplateResult {
    return html`<table part="table">
      <caption class="sr-only">
        ${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Worker</th>
          <th scope="col">Backend</th>
          <th scope="col">Queues</th>
          <th scope="col">Address</th>
          <th scope="col">Started</th>
          <th scope="col">Last seen</th>
          <th scope="col" class="num">Idle for</th>
          <th scope="col" class="num">Concurrency</th>
          <th scope="col" class="num">Active jobs</th>
        </tr>
      </thead>
      <tbody>
        ${repeat(
          workers,
          (worker) => `${worker.backend}\u0000${worker.id}`,
          (worker) => html`<tr part="row">
            <td>
              <span class="name">${worker.name ?? worker.id}</span>
              ${
                worker.name && worker.name !== worker.id
                  ? html`<span class="id mono muted">${worker.id}</span>`
                  : nothing
              }
            </td>
            <td>${labels.get(worker.backend) ?? worker.backend}</td>
            <td class="queues">
              ${
                worker.queueIds.length === 0
                  ? html`<span class="muted">—</span>`
                  : worker.queueIds.map(
                      (queueId, i) => html`${i > 0 ? ', ' : ''}${this.#queueLink(queueId)}`,
                    )
              }
            </td>
            <td class="mono">${worker.address ?? html`<span class="muted">—</span>`}</td>
            <td>${timeAgo(worker.startedAt)}</td>
            <td>${timeAgo(worker.lastSeenAt)}</td>
            <td class="num">${formatDuration(worker.idleMs)}</td>
            <td class="num">${worker.concurrency === null ? '—' : formatNumber(worker.concurrency)}</td>
            <td class="num">
              ${worker.activeJobs === null ? '—' : formatNumber(worker.activeJobs)}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render(): TemplateResult {
    const overview = this.#live.feed?.overview;
    const labels = new Map(overview?.backends.map((backend) => [backend.id, backend.label]));
    const pending = this.#task.status === TaskStatus.PENDING;
    const error = this.#task.error;
    // Keep what was shown while a refresh (or a failed one) is under way.
    const workers = this.#task.value ?? this.#last;
    let body: TemplateResult;
    if (workers === undefined) {
      body = error
        ? html`<p class="error" role="alert">Could not load the workers: ${errorMessage(error)}</p>`
        : html`<p class="muted loading">Loading workers…</p>`;
    } else {
      body = html`${
        error
          ? html`<p class="error" role="alert">Could not refresh the workers: ${errorMessage(error)}</p>`
          : nothing
      }
        ${workers.length === 0 ? this.#empty(overview) : this.#table(workers, labels)}`;
    }
    return html`
      <header part="header">
        <h1>Workers</h1>
        ${
          workers ? html`<span class="count muted">${formatNumber(workers.length)}</span>` : nothing
        }
        <span class="busy muted" ?hidden=${!pending}>Refreshing…</span>
        ${this.#filter(overview)}
      </header>
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${body}</div>
    `;
  }
}

function backlog(queue: QueueOverview): number {
  return (queue.counts.waiting ?? 0) + (queue.counts.prioritized ?? 0);
}

function byName(a: ApiWorker, b: ApiWorker): number {
  return (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id);
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-workers': QadminWorkers;
  }
}
