import { initialState, Task, TaskStatus } from '@lit/task';
import type {
  ApiJobPage,
  ApiJobSummary,
  JobActionType,
  JobState,
  QueueDetail,
  SearchField,
} from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { AuthController } from '../../shared/auth';
import type { QadminApi } from '../../shared/context';
import { defineElement } from '../../shared/define-element';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatNumber, timeAgo } from '../../shared/format';
import { LiveController } from '../../shared/live';
import { routePath } from '../../shared/routes';
import { styleProps } from '../../shared/style-props';
import { stateColors, tokens } from '../../shared/styles';
import { QadminConfirm } from '../confirm/confirm';
import { jobListStyles } from './job-list.styles';

/** Detail of `qadmin-job-select`: the job whose link was followed. */
export interface JobSelectDetail {
  queueId: string;
  jobId: string;
}

/** Detail of `qadmin-jobs-changed`: an action ran on some jobs of a queue. */
export interface JobsChangedDetail {
  queueId: string;
  /** The job action (`retry`, `remove`, ...). */
  action: string;
  /** How many jobs it changed. */
  affected: number;
}

/** Page sizes offered (the server may allow fewer: it says so, and the list offers its maximum). */
export const PAGE_SIZES = [25, 50, 100, 200, 500] as const;
const PAGE_SIZE_KEY = 'qadmin-page-size';
/** Job actions sent at once when acting on a selection. */
const CONCURRENCY = 4;
const FINISHED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'abandoned']);

interface BatchAction {
  type: Extract<JobActionType, 'retry' | 'promote' | 'cancel' | 'discard' | 'remove'>;
  label: string;
  progress: string;
  done: string;
  /** Whether a job in `state` can take the action. */
  allows(state: JobState, detail: QueueDetail): boolean;
  danger?: boolean;
}

/** The actions offered on a selection, with the states that permit each. */
const BATCH_ACTIONS: readonly BatchAction[] = [
  {
    type: 'retry',
    label: 'Retry',
    progress: 'Retrying',
    done: 'Retried',
    allows: (state, detail) =>
      state === 'failed' || detail.capabilities.retryAllStates.includes(state),
  },
  {
    type: 'promote',
    label: 'Promote',
    progress: 'Promoting',
    done: 'Promoted',
    allows: (state) => state === 'delayed',
  },
  {
    type: 'cancel',
    label: 'Cancel',
    progress: 'Cancelling',
    done: 'Cancelled',
    allows: (state) => !FINISHED.has(state),
  },
  {
    type: 'discard',
    label: 'Discard',
    progress: 'Discarding',
    done: 'Discarded',
    allows: (state) => state === 'active',
  },
  {
    type: 'remove',
    label: 'Remove',
    progress: 'Removing',
    done: 'Removed',
    allows: (state) => state !== 'active',
    danger: true,
  },
];

/** The time shown for a job, by the state of the list. */
function timeColumn(state: JobState): [string, (job: ApiJobSummary) => number | null] {
  switch (state) {
    case 'delayed':
      return ['Runs', (job) => job.delayedUntil];
    case 'active':
      return ['Started', (job) => job.processedAt];
    case 'completed':
    case 'failed':
    case 'cancelled':
    case 'abandoned':
      return ['Finished', (job) => job.finishedAt ?? job.processedAt];
    default:
      return ['Created', (job) => job.createdAt];
  }
}

type Mode = 'list' | 'search' | 'id';

function jobCount(n: number): string {
  return n === 1 ? '1 job' : `${formatNumber(n)} jobs`;
}

/** Runs `work` on every item, at most `limit` at a time, keeping the order of the results. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Notice {
  text: string;
  failures: { jobId: string; message: string }[];
  heading?: string;
}

/**
 * A page of the jobs of one queue in one state, or the results of a search:
 * id (a link to the job), name (unless jobs are named after their queue), data preview, failure reason or progress,
 * attempts and the time that matters for the state. Pages follow the API's
 * cursor (Next / Previous); a search that stopped before looking at every job
 * can be taken further. Select jobs (shift-click for a range) to retry,
 * promote, cancel, discard or remove them, as far as the queue's capabilities
 * and the jobs' states allow. It refreshes itself on live events for its
 * queue (at most once a second), keeping selection and scroll position, and
 * progress bars move with `progress` events.
 *
 * Keyboard: ↑/↓ (or `moveFocus()`) move between rows, Enter opens the focused
 * job, `x` selects it.
 *
 * @summary Paginated, selectable list of jobs of one queue and state.
 * @event qadmin-job-select - A job link was followed (detail: {queueId, jobId}); cancel it to stay.
 * @event qadmin-jobs-changed - An action ran on selected jobs (detail: {queueId, action, affected}).
 * @csspart toolbar - The bar with the selection actions and the pager.
 * @csspart header - The table header row.
 * @csspart row - Each job row.
 * @cssproperty --qadmin-sticky-top - Offset of the sticky column headers (height of a sticky bar above; set by `qadmin-app`, default 0).
 * @cssproperty --qadmin-color-accent - Links, selection and progress bars.
 */
export class QadminJobList extends QadminElement {
  static override styles = [tokens, stateColors, jobListStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    state: {},
    search: {},
    searchIn: { attribute: 'search-in' },
    pageSize: { attribute: 'page-size', type: Number },
    detail: { attribute: false },
    notice: { state: true },
    busy: { state: true },
  };

  /** The queue (`<backend>:<name>`). */
  declare queueId: string;
  /** The state listed (default `waiting`). */
  declare state: string;
  /** Text to search for (or the job id when `search-in` is `id`); empty: no search. */
  declare search: string;
  /** Comma list of `name`, `data`, `error` (empty: every field the queue can search), or `id`. */
  declare searchIn: string;
  /** Jobs per page (default 50, or the size last chosen here). */
  declare pageSize: number;
  /**
   * The queue's detail (capabilities, read-only). `undefined`: the list loads
   * it; `null`: an enclosing element is loading it and will set it.
   */
  declare detail: QueueDetail | null | undefined;
  declare notice: Notice | undefined;
  declare busy: string | undefined;

  /** Cursors of the pages shown (one page; several chunks when a search was taken further). */
  #cursors: (string | undefined)[] = [undefined];
  /** Cursors of the previous pages, for Previous. */
  #back: (string | undefined)[] = [];
  /** Pages already loaded for the current query, by cursor (reused when a search goes further). */
  #cache = new Map<string, ApiJobPage>();
  #reload = 0;
  #pages: ApiJobPage[] = [];
  #pagesKey = '';
  #selected = new Set<string>();
  #anchor = -1;
  #focusIndex = -1;
  #progress = new Map<string, ApiJobSummary['progress']>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRefresh = 0;
  #lastCount: number | undefined;
  #pending: { action: BatchAction; count: number } | undefined;

  #queue = new Task(this, {
    task: async ([client, queueId, wanted], { signal }) => {
      if (!wanted || !queueId) return initialState;
      return (client as QadminApi).queue(queueId as string, { signal });
    },
    args: () => [this.client, this.queueId, this.detail === undefined] as const,
  });

  #jobs = new Task(this, {
    task: async ([client, queueId, state, mode, text, fields, limit], { signal }) => {
      if (!queueId) return initialState;
      const key = this.#queryKey;
      const pages: ApiJobPage[] = [];
      for (const cursor of this.#cursors) {
        const cached = this.#cache.get(cursor ?? '');
        if (cached) {
          pages.push(cached);
          continue;
        }
        const page = await client.listJobs(
          queueId,
          {
            state: state as JobState,
            limit,
            ...(mode === 'id' ? { id: text } : {}),
            ...(mode === 'search' ? { q: text, ...(fields ? { in: this.#fields } : {}) } : {}),
            ...(cursor ? { cursor } : {}),
          },
          { signal },
        );
        pages.push(page);
      }
      return { key, pages };
    },
    args: () =>
      [
        this.client,
        this.queueId,
        this.#state,
        this.#mode,
        this.search?.trim() ?? '',
        this.#fields.join(','),
        this.pageSize,
        this.#cursors.map((c) => c ?? '').join('\n'),
        this.#reload,
      ] as const,
    onComplete: ({ key, pages }) => {
      this.#pages = pages;
      this.#pagesKey = key;
      this.#cache = new Map(this.#cursors.map((cursor, i) => [cursor ?? '', pages[i]!]));
      this.#progress.clear();
      const ids = new Set(this.#rows.map((job) => job.id));
      for (const id of this.#selected) if (!ids.has(id)) this.#selected.delete(id);
      if (this.#focusIndex >= ids.size) this.#focusIndex = ids.size - 1;
    },
  });

  #auth = new AuthController(this, () => this.client);
  #live = new LiveController(
    this,
    () => this.client,
    (message) => {
      if (message.kind !== 'event') return;
      const event = message.event;
      switch (event.type) {
        case 'progress':
          if (event.queueId === this.queueId && this.#rows.some((job) => job.id === event.jobId)) {
            this.#progress.set(event.jobId, event.progress);
          }
          break;
        case 'job':
          if (
            event.queueId === this.queueId &&
            (event.state === this.#state || this.#rows.some((job) => job.id === event.jobId))
          ) {
            this.#scheduleRefresh();
          }
          break;
        case 'action':
          if (event.queueId === this.queueId) this.#scheduleRefresh();
          break;
        case 'overview': {
          // Without the stream (polling), the overview's counts are the only sign of change.
          const count = event.overview.queues.find((q) => q.id === this.queueId)?.counts[
            this.#state
          ];
          const changed = this.#lastCount !== undefined && count !== this.#lastCount;
          this.#lastCount = count;
          if (changed && this.#live.feed?.status !== 'live') this.#scheduleRefresh();
          break;
        }
      }
    },
  );

  constructor() {
    super();
    this.queueId = '';
    this.state = '';
    this.search = '';
    this.searchIn = '';
    this.detail = undefined;
    this.notice = undefined;
    this.busy = undefined;
    let stored = 0;
    try {
      stored = Number(localStorage.getItem(PAGE_SIZE_KEY));
    } catch {
      // No storage (a sandboxed frame): the default applies.
    }
    this.pageSize = (PAGE_SIZES as readonly number[]).includes(stored) ? stored : 50;
  }

  /** Reloads the page now (keeping selection and scroll position). */
  refresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#lastRefresh = Date.now();
    this.#cache.clear();
    this.#reload++;
    this.requestUpdate();
  }

  /** Moves the row focus by `delta` rows (`j` / `k` in the dashboard). */
  moveFocus(delta: number): void {
    const count = this.#rows.length;
    if (count === 0) return;
    const index =
      this.#focusIndex < 0
        ? delta > 0
          ? 0
          : count - 1
        : Math.min(count - 1, Math.max(0, this.#focusIndex + delta));
    this.#focusRow(index);
  }

  /** The ids of the selected jobs. */
  get selectedIds(): string[] {
    return [...this.#selected];
  }

  get #state(): JobState {
    return (this.state || 'waiting') as JobState;
  }

  get #mode(): Mode {
    if (!this.search?.trim()) return 'list';
    return this.searchIn?.trim() === 'id' ? 'id' : 'search';
  }

  get #fields(): SearchField[] {
    return (this.searchIn ?? '')
      .split(',')
      .map((field) => field.trim())
      .filter(
        (field): field is SearchField => field === 'name' || field === 'data' || field === 'error',
      );
  }

  get #queryKey(): string {
    return JSON.stringify([
      this.queueId,
      this.#state,
      this.#mode,
      this.search?.trim() ?? '',
      this.#fields,
      this.pageSize,
    ]);
  }

  get #detail(): QueueDetail | undefined {
    return this.detail ?? this.#queue.value;
  }

  get #rows(): ApiJobSummary[] {
    const seen = new Set<string>();
    const rows: ApiJobSummary[] = [];
    for (const page of this.#pages) {
      for (const job of page.jobs) {
        if (seen.has(job.id)) continue;
        seen.add(job.id);
        rows.push(job);
      }
    }
    return rows;
  }

  /**
   * The actions the capabilities allow on jobs of the listed state and the
   * signed-in user may take (none when read-only).
   */
  get #actions(): BatchAction[] {
    const detail = this.#detail;
    if (!detail || detail.readOnly) return [];
    return BATCH_ACTIONS.filter(
      (action) =>
        detail.capabilities.jobActions.includes(action.type) &&
        this.#auth.can(`job.${action.type}`) &&
        action.allows(this.#state, detail),
    );
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      changed.has('queueId') ||
      changed.has('state') ||
      changed.has('search') ||
      changed.has('searchIn') ||
      changed.has('pageSize')
    ) {
      this.#cursors = [undefined];
      this.#back = [];
      this.#cache.clear();
      this.#selected.clear();
      this.#anchor = -1;
      this.#focusIndex = -1;
      if (changed.has('queueId') || changed.has('state')) this.#lastCount = undefined;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  #scheduleRefresh(): void {
    if (this.#refreshTimer !== undefined) return;
    // A search taken further reloads every chunk: refresh it less often.
    const interval = 1000 * Math.max(1, this.#cursors.length);
    const wait = Math.max(0, this.#lastRefresh + interval - Date.now());
    this.#refreshTimer = setTimeout(() => this.refresh(), wait);
  }

  // ------------------------------------------------------------ navigation

  #scrollTop(): void {
    // A new page starts at its first row: bring the list's top back into view when it scrolled away.
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    if (frame && frame.getBoundingClientRect().top < 0) frame.scrollIntoView({ block: 'start' });
  }

  #next(): void {
    const next = this.#pages.at(-1)?.nextCursor;
    if (!next) return;
    this.#back.push(this.#cursors[0]);
    this.#cursors = [next];
    this.#selected.clear();
    this.#focusIndex = -1;
    this.requestUpdate();
    this.#scrollTop();
  }

  #previous(): void {
    if (this.#back.length === 0) return;
    this.#cursors = [this.#back.pop()];
    this.#selected.clear();
    this.#focusIndex = -1;
    this.requestUpdate();
    this.#scrollTop();
  }

  #searchFurther(): void {
    const next = this.#pages.at(-1)?.nextCursor;
    if (!next || this.#jobs.status === TaskStatus.PENDING) return;
    this.#cursors = [...this.#cursors, next];
    this.requestUpdate();
  }

  #setPageSize(size: number): void {
    this.pageSize = size;
    try {
      localStorage.setItem(PAGE_SIZE_KEY, String(size));
    } catch {
      // Storage may be unavailable (privacy mode): the choice lasts for this page only.
    }
  }

  // ---------------------------------------------------------- rows & focus

  #rowElement(index: number): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.body [data-index="${index}"]`);
  }

  #focusRow(index: number): void {
    this.#focusIndex = index;
    const row = this.#rowElement(index);
    row?.focus({ preventScroll: true });
    row?.scrollIntoView({ block: 'nearest' });
  }

  #onFocusIn(event: FocusEvent): void {
    const row = (event.target as HTMLElement).closest?.('[data-index]');
    if (row) this.#focusIndex = Number((row as HTMLElement).dataset.index);
  }

  #onKeyDown(event: KeyboardEvent): void {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const target = event.target as HTMLElement;
    const row = target.closest?.('[data-index]') as HTMLElement | null;
    if (!row) return;
    const index = Number(row.dataset.index);
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        event.preventDefault();
        this.#focusIndex = index;
        this.moveFocus(event.key === 'ArrowDown' ? 1 : -1);
        break;
      case 'Home':
      case 'End':
        if (target !== row) return;
        event.preventDefault();
        this.#focusRow(event.key === 'Home' ? 0 : this.#rows.length - 1);
        break;
      case 'Enter':
        if (target !== row) return;
        event.preventDefault();
        row.querySelector<HTMLAnchorElement>('a')?.click();
        break;
      case 'x': {
        if (target instanceof HTMLInputElement && target.type !== 'checkbox') return;
        const job = this.#rows[index];
        if (!job || this.#actions.length === 0) return;
        event.preventDefault();
        this.#toggle(job.id, !this.#selected.has(job.id));
        this.#anchor = index;
        break;
      }
    }
  }

  #onOpen(event: MouseEvent, jobId: string): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    const proceed = this.emit<JobSelectDetail>(
      'qadmin-job-select',
      { queueId: this.queueId, jobId },
      true,
    );
    if (!proceed) event.preventDefault();
  }

  // -------------------------------------------------------------- selection

  #toggle(id: string, on: boolean): void {
    if (on) this.#selected.add(id);
    else this.#selected.delete(id);
    this.requestUpdate();
  }

  #onCheck(event: MouseEvent, index: number, id: string): void {
    const on = (event.target as HTMLInputElement).checked;
    const rows = this.#rows;
    if (event.shiftKey && this.#anchor >= 0 && this.#anchor < rows.length) {
      const [from, to] = this.#anchor < index ? [this.#anchor, index] : [index, this.#anchor];
      for (let i = from; i <= to; i++) {
        const rowId = rows[i]!.id;
        if (on) this.#selected.add(rowId);
        else this.#selected.delete(rowId);
      }
      this.requestUpdate();
    } else {
      this.#toggle(id, on);
    }
    this.#anchor = index;
    this.#focusIndex = index;
  }

  #onCheckAll(event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    if (on) for (const job of this.#rows) this.#selected.add(job.id);
    else this.#selected.clear();
    this.#anchor = -1;
    this.requestUpdate();
  }

  // ---------------------------------------------------------------- actions

  async #act(action: BatchAction): Promise<void> {
    const detail = this.#detail;
    if (!detail || this.busy) return;
    const jobs = this.#rows.filter(
      (job) => this.#selected.has(job.id) && action.allows(job.state, detail),
    );
    if (jobs.length === 0) return;
    if (action.danger) {
      // Embedded alone, the confirmation may not be registered yet.
      defineElement('qadmin-confirm', QadminConfirm);
      this.#pending = { action, count: jobs.length };
      this.requestUpdate();
      await this.updateComplete;
      const confirm = this.renderRoot.querySelector<QadminConfirm>('qadmin-confirm');
      const confirmed = await confirm?.ask();
      this.#pending = undefined;
      this.requestUpdate();
      if (!confirmed) return;
    }
    const queueId = this.queueId;
    const client = this.client;
    this.notice = undefined;
    this.busy = `${action.progress} ${jobCount(jobs.length)}…`;
    const results = await inParallel(jobs, CONCURRENCY, async (job) => {
      try {
        await client.jobAction(queueId, job.id, { type: action.type });
        return null;
      } catch (error) {
        return { jobId: job.id, message: errorMessage(error) };
      }
    });
    const failures = results.filter((r): r is { jobId: string; message: string } => r !== null);
    const succeeded = jobs.length - failures.length;
    this.busy = undefined;
    // Keep the failed ones selected, to try again or look at them.
    this.#selected = new Set(failures.map((f) => f.jobId));
    this.notice = {
      text:
        failures.length === 0
          ? `${action.done} ${jobCount(succeeded)}.`
          : `${action.done} ${formatNumber(succeeded)} of ${jobCount(jobs.length)}; ${formatNumber(failures.length)} failed.`,
      failures,
      heading: `${action.label} failed for ${jobCount(failures.length)}:`,
    };
    this.emit<JobsChangedDetail>('qadmin-jobs-changed', {
      queueId,
      action: action.type,
      affected: succeeded,
    });
    this.refresh();
  }

  // ---------------------------------------------------------------- render

  #jobHref(jobId: string): string {
    return this.href(routePath({ view: 'job', queueId: this.queueId, jobId }));
  }

  #renderProgress(job: ApiJobSummary): TemplateResult {
    const progress = this.#progress.has(job.id) ? this.#progress.get(job.id) : job.progress;
    if (typeof progress === 'number') {
      const value = Math.max(0, Math.min(100, progress));
      return html`<div class="meter">
        <progress max="100" .value=${value} aria-label="Progress of job ${job.id}"></progress>
        <span class="num">${Math.round(value)}%</span>
      </div>`;
    }
    if (progress && typeof progress === 'object') {
      const text = JSON.stringify(progress);
      return html`<span class="mono" title=${text}>${text}</span>`;
    }
    return html`<span class="muted">—</span>`;
  }

  #renderRow(
    job: ApiJobSummary,
    index: number,
    state: JobState,
    selectable: boolean,
    named: boolean,
  ): unknown {
    const selected = this.#selected.has(job.id);
    const [, timeOf] = timeColumn(state);
    const progress = this.#progress.get(job.id);
    return guard(
      [job, index, selected, selectable, named, state, progress, this.#progress.has(job.id)],
      () => {
        const attempts =
          job.attemptsAllowed === null
            ? formatNumber(job.attemptsMade)
            : `${formatNumber(job.attemptsMade)} / ${formatNumber(job.attemptsAllowed)}`;
        return html`<div
        role="row"
        part="row"
        class="row ${selected ? 'selected' : ''}"
        data-index=${index}
        data-id=${job.id}
        tabindex="-1"
      >
        ${
          selectable
            ? html`<span role="cell" class="cell check">
              <input
                type="checkbox"
                aria-label="Select job ${job.id}"
                .checked=${selected}
                @click=${(event: MouseEvent) => this.#onCheck(event, index, job.id)}
              />
            </span>`
            : nothing
        }
        <span role="cell" class="cell id">
          <a
            href=${this.#jobHref(job.id)}
            title=${job.id}
            @click=${(event: MouseEvent) => this.#onOpen(event, job.id)}
            >${job.id}</a
          >
        </span>
        ${named ? html`<span role="cell" class="cell name" title=${job.name}>${job.name}</span>` : nothing}
        <span role="cell" class="cell data mono" title=${job.dataPreview}>${job.dataPreview}</span>
        ${
          state === 'failed'
            ? html`<span role="cell" class="cell reason" title=${job.failedReason ?? ''}
              >${job.failedReason ?? '—'}</span
            >`
            : nothing
        }
        ${state === 'active' ? html`<span role="cell" class="cell">${this.#renderProgress(job)}</span>` : nothing}
        <span role="cell" class="cell num">${attempts}</span>
        <span role="cell" class="cell num">${timeAgo(timeOf(job))}</span>
      </div>`;
      },
    );
  }

  #renderSearchStatus(mode: Mode, rows: ApiJobSummary[]): TemplateResult | typeof nothing {
    if (mode !== 'search' || this.#pages.length === 0 || this.#pagesKey !== this.#queryKey) {
      return nothing;
    }
    const scanned = this.#pages.reduce((sum, page) => sum + (page.search?.scanned ?? 0), 0);
    const last = this.#pages.at(-1)!;
    const exhausted = last.search?.exhausted ?? last.nextCursor === null;
    const matches = rows.length === 1 ? '1 match' : `${formatNumber(rows.length)} matches`;
    return html`${matches} in ${formatNumber(scanned)} jobs scanned${
      exhausted ? ' — every job searched.' : ' — not every job searched yet.'
    }`;
  }

  #renderEmpty(mode: Mode, state: JobState, columns: number): TemplateResult {
    const text = this.search?.trim() ?? '';
    let message: TemplateResult;
    if (mode === 'id') {
      message = html`No ${state} job with id <code>${text}</code>.
        <a href=${this.#jobHref(text)}>Look up job ${text} in any state</a>.`;
    } else if (mode === 'search') {
      const last = this.#pages.at(-1);
      message = last?.nextCursor
        ? html`No match yet for “${text}”. Search further to look at more ${state} jobs.`
        : html`No ${state} job matches “${text}”.`;
    } else {
      message = html`No ${state} jobs.`;
    }
    return this.#wideRow(columns, message);
  }

  #wideRow(columns: number, content: unknown): TemplateResult {
    return html`<div role="row" class="row">
      <span role="cell" class="cell empty" aria-colspan=${columns}>${content}</span>
    </div>`;
  }

  #renderProblem(): TemplateResult | typeof nothing {
    const notice = this.notice;
    if (!notice || notice.failures.length === 0) return nothing;
    return html`<div class="problem" role="alert">
      <div>
        <strong>${notice.heading}</strong>
        <ul>
          ${notice.failures.map(
            (failure) =>
              html`<li><a href=${this.#jobHref(failure.jobId)} class="mono">${failure.jobId}</a>: ${failure.message}</li>`,
          )}
        </ul>
      </div>
      <button type="button" class="small" @click=${() => (this.notice = undefined)}>Dismiss</button>
    </div>`;
  }

  #renderLoadError(): TemplateResult | typeof nothing {
    if (this.#jobs.status !== TaskStatus.ERROR) return nothing;
    const error = this.#jobs.error as { field?: string; detail?: string } | undefined;
    const max =
      error?.field === 'query.limit' ? /at most (\d+)/.exec(error.detail ?? '')?.[1] : undefined;
    return html`<div class="problem" role="alert">
      <div><strong>Could not load the jobs.</strong> ${errorMessage(error)}</div>
      ${
        max
          ? html`<button type="button" class="small" @click=${() => this.#setPageSize(Number(max))}>
            Show ${max} per page
          </button>`
          : html`<button type="button" class="small" @click=${() => this.refresh()}>Retry</button>`
      }
    </div>`;
  }

  /** What just happened (an action, how far a search looked), in a polite live region. */
  #renderStatus(mode: Mode, rows: ApiJobSummary[]): TemplateResult {
    const canGoFurther =
      mode === 'search' && this.#pagesKey === this.#queryKey && !!this.#pages.at(-1)?.nextCursor;
    return html`<div class="status">
      <span role="status">${this.busy ?? this.notice?.text ?? ''} ${this.#renderSearchStatus(mode, rows)}</span>
      ${
        canGoFurther
          ? html`<button
            type="button"
            class="small"
            ?disabled=${this.#jobs.status === TaskStatus.PENDING}
            @click=${this.#searchFurther}
          >
            Search further
          </button>`
          : nothing
      }
    </div>`;
  }

  #renderToolbar(
    mode: Mode,
    rows: ApiJobSummary[],
    actions: BatchAction[],
    status: TemplateResult,
  ): TemplateResult {
    const detail = this.#detail;
    const selectedRows = detail ? rows.filter((job) => this.#selected.has(job.id)) : [];
    const page = this.#pages.at(-1);
    const fresh = this.#pagesKey === this.#queryKey;
    const index = this.#back.length;
    const total = fresh ? this.#pages[0]?.total : undefined;
    const start = index * this.pageSize + 1;
    const pageSizes = (PAGE_SIZES as readonly number[]).includes(this.pageSize)
      ? PAGE_SIZES
      : [...PAGE_SIZES, this.pageSize].sort((a, b) => a - b);
    return html`<div class="bar" part="toolbar">
      <div class="selection" role="group" aria-label="Selected jobs">
        ${
          actions.length > 0
            ? html`<span class="count muted">${
                selectedRows.length === 0
                  ? 'None selected'
                  : `${formatNumber(selectedRows.length)} selected`
              }</span>
              ${actions.map((action) => {
                const count = detail
                  ? selectedRows.filter((job) => action.allows(job.state, detail)).length
                  : 0;
                return html`<button
                  type="button"
                  class="small ${action.danger ? 'danger' : ''}"
                  ?disabled=${count === 0 || this.busy !== undefined}
                  @click=${() => this.#act(action)}
                >
                  ${action.label}
                </button>`;
              })}
              ${
                selectedRows.length > 0
                  ? html`<button
                    type="button"
                    class="small"
                    @click=${() => {
                      this.#selected.clear();
                      this.requestUpdate();
                    }}
                  >
                    Clear
                  </button>`
                  : nothing
              }`
            : nothing
        }
      </div>
      ${status}
      ${
        mode === 'id'
          ? nothing
          : html`<div class="pager">
            ${
              mode === 'list' && fresh && rows.length > 0
                ? html`<span class="range"
                  >${formatNumber(start)}–${formatNumber(start + rows.length - 1)}${
                    total !== null && total !== undefined ? ` of ${formatNumber(total)}` : ''
                  }</span
                >`
                : nothing
            }
            <label
              >Per page
              <select
                @change=${(event: Event) =>
                  this.#setPageSize(Number((event.target as HTMLSelectElement).value))}
              >
                ${pageSizes.map(
                  (size) =>
                    html`<option value=${size} ?selected=${size === this.pageSize}>${size}</option>`,
                )}
              </select></label
            >
            ${
              mode === 'list'
                ? html`<button
                    type="button"
                    class="small"
                    ?disabled=${index === 0}
                    @click=${this.#previous}
                  >
                    ‹ Previous
                  </button>
                  <button
                    type="button"
                    class="small"
                    ?disabled=${!fresh || !page?.nextCursor}
                    @click=${this.#next}
                  >
                    Next ›
                  </button>`
                : nothing
            }
          </div>`
      }
    </div>`;
  }

  protected override render(): TemplateResult {
    const mode = this.#mode;
    const fresh = this.#pagesKey === this.#queryKey;
    const failedLoad = this.#jobs.status === TaskStatus.ERROR;
    // Keep the rows on screen while the next ones load; not those of another query after an error.
    const shown = failedLoad && !fresh ? [] : this.#pages;
    const rows = shown === this.#pages ? this.#rows : [];
    const state = (shown[0]?.state ?? this.#state) as JobState;
    const waitingForDetail = this.detail === null;
    const actions = this.#actions;
    const selectable = actions.length > 0;
    const loading =
      this.#jobs.status === TaskStatus.PENDING ||
      this.#jobs.status === TaskStatus.INITIAL ||
      waitingForDetail;
    const [timeLabel] = timeColumn(state);
    // Where jobs are named after their queue, a name column would repeat the queue's name.
    const named = this.#detail?.capabilities.jobNames !== false;
    const columns =
      4 +
      (named ? 1 : 0) +
      (selectable ? 1 : 0) +
      (state === 'failed' || state === 'active' ? 1 : 0);
    // Column widths from the data (ids and names vary by backend), fixed for the page: no jumps.
    const idLength = Math.min(36, Math.max(6, ...rows.map((job) => job.id.length)));
    const nameLength = Math.min(32, Math.max(10, ...rows.map((job) => job.name.length)));
    const columnTemplate = [
      selectable ? '34px' : '',
      `calc(${idLength}ch + 16px)`,
      named ? `calc(${nameLength}ch + 16px)` : '',
      'minmax(12ch, 1fr)',
      state === 'failed' ? 'minmax(12ch, 1fr)' : '',
      state === 'active' ? '170px' : '',
      '9ch',
      '13ch',
    ]
      .filter(Boolean)
      .join(' ');
    const selectedOnPage = rows.filter((job) => this.#selected.has(job.id)).length;
    const showRows = !waitingForDetail && (rows.length > 0 || !loading);
    return html`
      ${this.#renderToolbar(mode, rows, actions, this.#renderStatus(mode, rows))}
      ${this.#renderProblem()} ${this.#renderLoadError()}
      ${
        this.#queue.status === TaskStatus.ERROR && this.detail === undefined
          ? html`<div class="problem" role="alert">
            <div>
              <strong>Could not read the queue's capabilities; actions are unavailable.</strong>
              ${errorMessage(this.#queue.error)}
            </div>
          </div>`
          : nothing
      }
      <div class="frame" @keydown=${this.#onKeyDown} @focusin=${this.#onFocusIn}>
        <div
          role="table"
          class="table"
          aria-label="${state} jobs"
          aria-busy=${loading ? 'true' : 'false'}
          style=${styleProps({ '--_cols': columnTemplate })}
        >
          <div role="rowgroup" class="head">
            <div role="row" class="row" part="header">
              ${
                selectable
                  ? html`<span role="columnheader" class="cell check">
                    <input
                      type="checkbox"
                      aria-label="Select all jobs on this page"
                      .checked=${rows.length > 0 && selectedOnPage === rows.length}
                      .indeterminate=${selectedOnPage > 0 && selectedOnPage < rows.length}
                      ?disabled=${rows.length === 0}
                      @change=${this.#onCheckAll}
                    />
                  </span>`
                  : nothing
              }
              <span role="columnheader" class="cell">Id</span>
              ${named ? html`<span role="columnheader" class="cell">Name</span>` : nothing}
              <span role="columnheader" class="cell">Data</span>
              ${state === 'failed' ? html`<span role="columnheader" class="cell">Reason</span>` : nothing}
              ${state === 'active' ? html`<span role="columnheader" class="cell">Progress</span>` : nothing}
              <span role="columnheader" class="cell num">Attempts</span>
              <span role="columnheader" class="cell num">${timeLabel}</span>
            </div>
          </div>
          <div role="rowgroup" class="body">
            ${
              showRows
                ? rows.length > 0
                  ? repeat(
                      rows,
                      (job) => job.id,
                      (job, index) => this.#renderRow(job, index, state, selectable, named),
                    )
                  : failedLoad
                    ? this.#wideRow(columns, 'No jobs to show.')
                    : this.#renderEmpty(mode, state, columns)
                : Array.from(
                    { length: 3 },
                    () =>
                      html`<div class="row placeholder" aria-hidden="true">
                        ${Array.from({ length: columns }, () => html`<span class="cell"></span>`)}
                      </div>`,
                  )
            }
          </div>
        </div>
      </div>
      ${
        this.#pending
          ? html`<qadmin-confirm
            danger
            .heading=${`${this.#pending.action.label} ${jobCount(this.#pending.count)}?`}
            .message=${'The selected jobs are deleted with their data and logs. This cannot be undone.'}
            .actionLabel=${`${this.#pending.action.label} ${jobCount(this.#pending.count)}`}
          ></qadmin-confirm>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-job-list': QadminJobList;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-job-select': CustomEvent<JobSelectDetail>;
    'qadmin-jobs-changed': CustomEvent<JobsChangedDetail>;
  }
}
