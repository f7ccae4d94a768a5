import { Task, TaskStatus } from '@lit/task';
import type { BulkAction, BulkActionType, JobState, QueueDetail, SearchField } from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { live } from 'lit/directives/live.js';
import { AuthController } from '../../shared/auth';
import { defineElement } from '../../shared/define-element';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatCount, formatNumber, STATE_ORDER } from '../../shared/format';
import { LiveController } from '../../shared/live';
import { type NavigateDetail, routePath } from '../../shared/routes';
import { stateColors, tokens } from '../../shared/styles';
import { QadminConfirm } from '../confirm/confirm';
import { QadminJobList } from '../job-list/job-list';
import { queueStyles } from './queue.styles';

const SEARCH_FIELDS: readonly SearchField[] = ['name', 'data', 'error'];
const FINISHED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'abandoned']);
/** Ages offered when cleaning. */
const AGES: readonly [number, string, string][] = [
  [0, 'Any age', ''],
  [3_600_000, 'Older than 1 hour', 'more than 1 hour ago'],
  [86_400_000, 'Older than 1 day', 'more than 1 day ago'],
  [604_800_000, 'Older than 7 days', 'more than 7 days ago'],
];
/** How long typing in the search box waits before the list follows. */
const TYPING_MS = 300;

type DangerousAction = Extract<BulkActionType, 'retry-all' | 'clean' | 'empty' | 'obliterate'>;

/** The options of a dangerous action while its confirmation is open. */
interface PendingAction {
  type: DangerousAction;
  state: JobState;
  olderThanMs: number;
  limit: string;
}

function ordered(states: readonly JobState[]): JobState[] {
  return STATE_ORDER.filter((state) => states.includes(state));
}

function jobs(n: number): string {
  return n === 1 ? '1 job' : `${formatNumber(n)} jobs`;
}

function sum(counts: QueueDetail['counts'], filter: (state: JobState) => boolean): number {
  let total = 0;
  for (const [state, count] of Object.entries(counts) as [JobState, number | undefined][]) {
    if (filter(state)) total += count ?? 0;
  }
  return total;
}

/** The positive whole number typed as a limit, if any. */
function parseLimit(text: string): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * One queue: its name, backend, paused flag and workers; a tab per job state
 * with its count; a search (by job id, or text in name, data or error as far
 * as the backend can search); the queue's actions (pause / resume, retry all,
 * promote all, clean, empty, obliterate) as far as its capabilities and
 * read-only mode allow, the dangerous ones confirmed by typing the queue's
 * name; and the `qadmin-job-list` of the chosen state. Counts follow live
 * events. The state and search live in the URL (`?state=&q=&in=`): changing
 * them asks the enclosing app to navigate, or, embedded alone, keeps them here.
 *
 * @summary One queue: state tabs, search, queue actions and its jobs.
 * @event qadmin-navigate - The state or search changed (detail: {path, replace}); cancel it to handle the navigation.
 * @csspart header - Name, badges and links.
 * @csspart toolbar - The queue actions.
 * @csspart tabs - The state tabs.
 * @cssproperty --qadmin-color-accent - Selected tab, links.
 * @cssproperty --qadmin-color-danger - Dangerous actions and errors.
 */
export class QadminQueue extends QadminElement {
  static override styles = [tokens, stateColors, queueStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    state: {},
    search: {},
    searchIn: { attribute: 'search-in' },
    draft: { state: true },
    pending: { state: true },
    running: { state: true },
    result: { state: true },
    actionError: { state: true },
  };

  /** The queue (`<backend>:<name>`). */
  declare queueId: string;
  /** The state shown; empty: `waiting`, or the first state the queue has. */
  declare state: string;
  /** The search text (a job id when `search-in` is `id`). */
  declare search: string;
  /** Comma list of `name`, `data`, `error` (empty: all the queue can search), or `id`. */
  declare searchIn: string;
  declare draft: string;
  declare pending: PendingAction | undefined;
  declare running: string | undefined;
  declare result: string;
  declare actionError: string | undefined;

  #detail: QueueDetail | undefined;
  #reload = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRefresh = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #emittedSearch: string | undefined;

  #task = new Task(this, {
    task: async ([client, queueId], { signal }) => client.queue(queueId, { signal }),
    args: () => [this.client, this.queueId, this.#reload] as const,
    onComplete: (detail) => {
      this.#detail = detail;
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
        case 'queue':
          if (event.queueId !== this.queueId) return;
          if (this.#detail) this.#detail = { ...this.#detail, paused: event.paused };
          this.#scheduleRefresh();
          break;
        case 'job':
        case 'action':
          if (event.queueId === this.queueId) this.#scheduleRefresh();
          break;
        case 'overview': {
          // While the stream is cut, the polled overview carries the counts.
          if (this.#live.feed?.status === 'live' || !this.#detail) return;
          const queue = event.overview.queues.find((q) => q.id === this.queueId);
          if (queue) {
            const { counts, paused, workers } = queue;
            this.#detail = { ...this.#detail, counts, paused, workers };
          }
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
    this.draft = '';
    this.pending = undefined;
    this.running = undefined;
    this.result = '';
    this.actionError = undefined;
    this.addEventListener('qadmin-jobs-changed', () => this.#scheduleRefresh());
  }

  /** Puts the cursor in the search box (`/` in the dashboard). */
  focusSearch(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('#search');
    input?.focus();
    input?.select();
  }

  /** Moves the row focus of the job list (`j` / `k` in the dashboard). */
  moveFocus(delta: 1 | -1): void {
    this.#list?.moveFocus(delta);
  }

  /** Reloads the queue's counts and the job list now. */
  refresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#lastRefresh = Date.now();
    this.#reload++;
    this.requestUpdate();
  }

  get #list(): QadminJobList | null {
    return this.renderRoot.querySelector('qadmin-job-list');
  }

  get #name(): string {
    return this.#detail?.name ?? this.queueId.slice(this.queueId.indexOf(':') + 1);
  }

  /** The state shown: the one asked for, else `waiting`, else the first the queue has. */
  get #state(): JobState {
    if (this.state) return this.state as JobState;
    const states = this.#detail?.capabilities.states;
    if (!states || states.includes('waiting')) return 'waiting';
    return ordered(states)[0] ?? 'waiting';
  }

  get #searchFields(): SearchField[] {
    const fields = this.#detail?.capabilities.search ?? [];
    return SEARCH_FIELDS.filter((field) => fields.includes(field));
  }

  /** `search-in` as used: a queue that cannot search text looks jobs up by id. */
  get #searchIn(): string {
    if (this.searchIn) return this.searchIn;
    return this.#detail && this.#searchFields.length === 0 ? 'id' : '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('queueId')) {
      this.#detail = undefined;
      this.result = '';
      this.actionError = undefined;
    }
    // Follow the URL unless it only echoes what is being typed.
    if (changed.has('search') && this.search !== this.#emittedSearch)
      this.draft = this.search ?? '';
    if (changed.has('search')) this.#emittedSearch = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#typingTimer);
    this.#refreshTimer = undefined;
    this.#typingTimer = undefined;
  }

  #scheduleRefresh(): void {
    if (this.#refreshTimer !== undefined) return;
    const wait = Math.max(0, this.#lastRefresh + 1000 - Date.now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      this.#lastRefresh = Date.now();
      this.#reload++;
      this.requestUpdate();
    }, wait);
  }

  // ------------------------------------------------------------ navigation

  #path(state: string, search: string, searchIn: string): string {
    const params: string[] = [];
    if (state) params.push(`state=${encodeURIComponent(state)}`);
    if (search) params.push(`q=${encodeURIComponent(search)}`);
    if (searchIn) params.push(`in=${searchIn.split(',').map(encodeURIComponent).join(',')}`);
    const path = routePath({ view: 'queue', queueId: this.queueId });
    return params.length ? `${path}?${params.join('&')}` : path;
  }

  #go(next: { state?: string; search?: string; searchIn?: string }, replace: boolean): void {
    const state = next.state ?? this.state;
    const search = next.search ?? this.search;
    const searchIn = next.searchIn ?? this.searchIn;
    const handled = !this.emit<NavigateDetail>(
      'qadmin-navigate',
      { path: this.#path(state, search, searchIn), replace },
      true,
    );
    // Embedded without an app: keep the choice here.
    if (!handled) {
      this.state = state;
      this.search = search;
      this.searchIn = searchIn;
    }
  }

  #selectTab(state: JobState): void {
    if (state === this.#state && this.state) return;
    this.#go({ state }, false);
  }

  #onTabClick(event: MouseEvent, state: JobState): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    this.#selectTab(state);
  }

  #onTabKey(event: KeyboardEvent): void {
    const tabs = [...this.renderRoot.querySelectorAll<HTMLAnchorElement>('[role=tab]')];
    const index = tabs.indexOf(event.target as HTMLAnchorElement);
    if (index < 0) return;
    let next = -1;
    switch (event.key) {
      case 'ArrowRight':
        next = (index + 1) % tabs.length;
        break;
      case 'ArrowLeft':
        next = (index - 1 + tabs.length) % tabs.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = tabs.length - 1;
        break;
      case ' ':
        event.preventDefault();
        tabs[index]!.click();
        return;
      default:
        return;
    }
    event.preventDefault();
    for (const [i, tab] of tabs.entries()) tab.tabIndex = i === next ? 0 : -1;
    tabs[next]!.focus();
  }

  #onSearchInput(event: InputEvent): void {
    this.draft = (event.target as HTMLInputElement).value;
    clearTimeout(this.#typingTimer);
    this.#typingTimer = setTimeout(() => this.#commitSearch(), TYPING_MS);
  }

  #commitSearch(): void {
    clearTimeout(this.#typingTimer);
    this.#typingTimer = undefined;
    const search = this.draft.trim();
    if (search === (this.search ?? '')) return;
    this.#emittedSearch = search;
    this.#go({ search }, true);
  }

  #onSearchKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.draft) {
      event.preventDefault();
      event.stopPropagation();
      this.draft = '';
      this.#commitSearch();
    }
  }

  // --------------------------------------------------------------- actions

  /** What a dangerous action will touch, for its confirmation. */
  #describe(
    pending: PendingAction,
    detail: QueueDetail,
  ): { heading: string; message: string; label: string } {
    const name = detail.name;
    const counts = detail.counts;
    switch (pending.type) {
      case 'retry-all': {
        const n = counts[pending.state] ?? 0;
        return {
          heading: `Retry all ${pending.state} jobs of ${name}?`,
          message: `${n === 1 ? 'The' : `All ${formatNumber(n)}`} ${pending.state} ${n === 1 ? 'job goes' : 'jobs go'} back to the queue and run again.`,
          label: `Retry ${jobs(n)}`,
        };
      }
      case 'clean': {
        const n = counts[pending.state] ?? 0;
        const limit = parseLimit(pending.limit);
        const cap = limit === undefined ? n : Math.min(n, limit);
        const age = AGES.find(([ms]) => ms === pending.olderThanMs)?.[2] ?? '';
        const when = age ? ` ${FINISHED.has(pending.state) ? 'finished' : 'created'} ${age}` : '';
        const partial = pending.olderThanMs > 0 || (limit !== undefined && limit < n);
        return {
          heading: `Clean ${pending.state} jobs of ${name}?`,
          message: `Removes ${partial ? 'up to' : 'all'} ${formatNumber(cap)} ${pending.state} ${cap === 1 ? 'job' : 'jobs'}${when}, with their data and logs. This cannot be undone.`,
          label: partial ? 'Clean' : `Clean ${jobs(cap)}`,
        };
      }
      case 'empty': {
        const n = sum(counts, (state) => state !== 'active');
        return {
          heading: `Empty ${name}?`,
          message: `Removes every job that is not active: up to ${jobs(n)}. Active jobs finish normally. This cannot be undone.`,
          label: 'Empty queue',
        };
      }
      case 'obliterate': {
        const n = sum(counts, () => true);
        return {
          heading: `Obliterate ${name}?`,
          message: `Deletes the queue with all its ${jobs(n)}, schedules and data; it disappears from the dashboard. This cannot be undone.`,
          label: 'Obliterate queue',
        };
      }
    }
  }

  async #confirmAndRun(type: DangerousAction): Promise<void> {
    const detail = this.#detail;
    if (!detail) return;
    defineElement('qadmin-confirm', QadminConfirm);
    const caps = detail.capabilities;
    const current = this.#state;
    const states =
      type === 'retry-all' ? caps.retryAllStates : type === 'clean' ? caps.cleanStates : [];
    const state = states.includes(current) ? current : (ordered(states)[0] ?? current);
    this.pending = { type, state, olderThanMs: 0, limit: '' };
    await this.updateComplete;
    const confirm = this.renderRoot.querySelector<QadminConfirm>('qadmin-confirm');
    const confirmed = (await confirm?.ask()) ?? false;
    const pending = this.pending;
    this.pending = undefined;
    if (!confirmed || !pending) return;
    const limit = parseLimit(pending.limit);
    const action: BulkAction =
      type === 'retry-all'
        ? { type, state: pending.state }
        : type === 'clean'
          ? {
              type,
              state: pending.state,
              olderThanMs: pending.olderThanMs,
              ...(limit === undefined ? {} : { limit }),
            }
          : { type };
    await this.#run(action);
  }

  async #run(action: BulkAction): Promise<void> {
    const detail = this.#detail;
    if (!detail || this.running) return;
    const name = detail.name;
    this.running = action.type;
    this.actionError = undefined;
    this.result = '';
    try {
      const { affected } = await this.client.bulkAction(this.queueId, action);
      switch (action.type) {
        case 'pause':
          this.result = `Paused ${name}.`;
          this.#detail = { ...detail, paused: true };
          break;
        case 'resume':
          this.result = `Resumed ${name}.`;
          this.#detail = { ...detail, paused: false };
          break;
        case 'retry-all':
          this.result = `Retried ${jobs(affected)} (${action.state ?? 'failed'}).`;
          break;
        case 'promote-all':
          this.result = `Promoted ${jobs(affected)}.`;
          break;
        case 'clean':
          this.result = `Cleaned ${jobs(affected)} (${action.state}).`;
          break;
        case 'empty':
          this.result = `Emptied ${name}: ${jobs(affected)} removed.`;
          break;
        case 'obliterate':
          this.result = `Obliterated ${name}: ${jobs(affected)} removed.`;
          break;
      }
      if (action.type === 'obliterate') {
        // The queue is gone: go back to the overview when inside the dashboard.
        this.emit<NavigateDetail>(
          'qadmin-navigate',
          { path: routePath({ view: 'overview' }) },
          true,
        );
        return;
      }
    } catch (error) {
      this.actionError = `${errorMessage(error)}`;
    } finally {
      this.running = undefined;
    }
    this.refresh();
    this.#list?.refresh();
  }

  // ---------------------------------------------------------------- render

  #renderHeader(detail: QueueDetail | undefined): TemplateResult {
    const caps = detail?.capabilities;
    const id = encodeURIComponent(this.queueId);
    const backend = detail
      ? (this.#live.feed?.overview?.backends.find((b) => b.id === detail.backend)?.label ??
        detail.backend)
      : undefined;
    const workers = detail?.workers;
    return html`<header part="header">
      <div class="title">
        <h1>${this.#name}</h1>
        ${backend ? html`<span class="badge backend" title="Backend">${backend}</span>` : nothing}
        ${detail?.paused ? html`<span class="badge paused">paused</span>` : nothing}
        ${detail?.readOnly ? html`<span class="badge readonly">read-only</span>` : nothing}
      </div>
      ${
        detail
          ? html`<nav class="links" aria-label="About this queue">
            ${
              caps?.workers
                ? html`<a href=${this.href(`workers?queue=${id}`)}
                  >${workers === null || workers === undefined ? 'Workers' : workers === 1 ? '1 worker' : `${formatNumber(workers)} workers`}</a
                >`
                : workers !== null && workers !== undefined
                  ? html`<span class="muted">${workers === 1 ? '1 worker' : `${formatNumber(workers)} workers`}</span>`
                  : nothing
            }
            ${caps?.schedules.read ? html`<a href=${this.href(`schedules?queue=${id}`)}>Schedules</a>` : nothing}
            ${caps?.metrics ? html`<a href=${this.href(`charts?queue=${id}`)}>Metrics</a>` : nothing}
          </nav>`
          : nothing
      }
    </header>`;
  }

  #renderActions(detail: QueueDetail): TemplateResult | typeof nothing {
    if (detail.readOnly) return nothing;
    const caps = detail.capabilities;
    const allowed = new Set(caps.bulkActions.filter((action) => this.#auth.can(`queue.${action}`)));
    const busy = this.running !== undefined || this.pending !== undefined;
    const button = (
      label: string,
      onClick: () => void,
      options: { danger?: boolean; disabled?: boolean; title?: string } = {},
    ) =>
      html`<button
        type="button"
        class="small ${options.danger ? 'danger' : ''}"
        ?disabled=${busy || options.disabled}
        title=${options.title ?? nothing}
        @click=${onClick}
      >
        ${label}
      </button>`;
    const buttons: TemplateResult[] = [];
    if (!detail.paused && allowed.has('pause')) {
      buttons.push(
        button('Pause', () => this.#run({ type: 'pause' }), {
          title: 'Stop workers from taking new jobs',
        }),
      );
    }
    if (detail.paused && allowed.has('resume')) {
      buttons.push(button('Resume', () => this.#run({ type: 'resume' })));
    }
    if (allowed.has('promote-all') && caps.states.includes('delayed')) {
      buttons.push(
        button('Promote all delayed', () => this.#run({ type: 'promote-all' }), {
          disabled: (detail.counts.delayed ?? 0) === 0,
          title: 'Run every delayed job now',
        }),
      );
    }
    if (allowed.has('retry-all') && caps.retryAllStates.length > 0) {
      buttons.push(button('Retry all…', () => this.#confirmAndRun('retry-all')));
    }
    if (allowed.has('clean') && caps.cleanStates.length > 0) {
      buttons.push(button('Clean…', () => this.#confirmAndRun('clean'), { danger: true }));
    }
    if (allowed.has('empty')) {
      buttons.push(button('Empty…', () => this.#confirmAndRun('empty'), { danger: true }));
    }
    if (allowed.has('obliterate')) {
      buttons.push(
        button('Obliterate…', () => this.#confirmAndRun('obliterate'), { danger: true }),
      );
    }
    if (buttons.length === 0) return nothing;
    return html`<div class="toolbar" part="toolbar">
      <div class="actions" role="group" aria-label="Queue actions">${buttons}</div>
      <p class="result" role="status">${this.running ? 'Working…' : this.result}</p>
    </div>`;
  }

  #renderOptions(pending: PendingAction, detail: QueueDetail): TemplateResult | typeof nothing {
    const caps = detail.capabilities;
    const update = (patch: Partial<PendingAction>) => {
      if (this.pending) this.pending = { ...this.pending, ...patch };
    };
    const stateSelect = (states: readonly JobState[]) =>
      html`<label for="opt-state">State</label>
        <select
          id="opt-state"
          @change=${(event: Event) => update({ state: (event.target as HTMLSelectElement).value as JobState })}
        >
          ${ordered(states).map(
            (state) =>
              html`<option value=${state} ?selected=${state === pending.state}>
                ${state} (${formatNumber(detail.counts[state] ?? 0)})
              </option>`,
          )}
        </select>`;
    if (pending.type === 'retry-all') {
      if (caps.retryAllStates.length < 2) return nothing;
      return html`<div class="options">${stateSelect(caps.retryAllStates)}</div>`;
    }
    if (pending.type !== 'clean') return nothing;
    return html`<div class="options">
      ${stateSelect(caps.cleanStates)}
      <label for="opt-age">Age</label>
      <select
        id="opt-age"
        @change=${(event: Event) => update({ olderThanMs: Number((event.target as HTMLSelectElement).value) })}
      >
        ${AGES.map(
          ([ms, label]) =>
            html`<option value=${ms} ?selected=${ms === pending.olderThanMs}>${label}</option>`,
        )}
      </select>
      <label for="opt-limit">At most</label>
      <input
        id="opt-limit"
        type="number"
        min="1"
        step="1"
        inputmode="numeric"
        placeholder="no limit"
        .value=${live(pending.limit)}
        @input=${(event: InputEvent) => update({ limit: (event.target as HTMLInputElement).value })}
      />
    </div>`;
  }

  #renderTabs(detail: QueueDetail | undefined): TemplateResult {
    const current = this.#state;
    const states = detail ? ordered(detail.capabilities.states) : [];
    if (detail && !states.includes(current)) states.push(current);
    return html`<div role="tablist" aria-label="Job states" part="tabs" @keydown=${this.#onTabKey}>
      ${states.map((state) => {
        const count = detail?.counts[state];
        const selected = state === current;
        return html`<a
          role="tab"
          id="tab-${state}"
          href=${this.href(this.#path(state, this.search, this.searchIn))}
          aria-selected=${selected ? 'true' : 'false'}
          aria-controls="panel"
          tabindex=${selected ? 0 : -1}
          @click=${(event: MouseEvent) => this.#onTabClick(event, state)}
        >
          <span>${state}</span>
          ${
            count === undefined
              ? nothing
              : html`<span
                class="tab-count ${count === 0 ? 'zero' : `state-${state}`}"
                title=${formatNumber(count)}
                >${formatCount(count)}</span
              >`
          }
        </a>`;
      })}
    </div>`;
  }

  #renderSearch(): TemplateResult {
    const fields = this.#searchFields;
    const searchIn = this.#searchIn;
    const options: [string, string][] = [];
    if (fields.length > 0) {
      options.push(['', fields.length === 1 ? `${fields[0]}` : fields.join(', ')]);
      if (fields.length > 1) for (const field of fields) options.push([field, `${field} only`]);
      if (searchIn && searchIn !== 'id' && !options.some(([value]) => value === searchIn)) {
        options.push([searchIn, searchIn.split(',').join(', ')]);
      }
    }
    options.push(['id', 'job id']);
    const byId = searchIn === 'id';
    const placeholder = byId
      ? 'Exact job id'
      : `Search ${(searchIn || fields.join(',')).split(',').join(', ')}…`;
    return html`<form
      class="search"
      role="search"
      aria-label="Search jobs"
      @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        this.#commitSearch();
      }}
    >
      ${
        options.length > 1
          ? html`<select
            aria-label="Search in"
            @change=${(event: Event) => {
              const value = (event.target as HTMLSelectElement).value;
              this.#commitSearch();
              this.#go({ searchIn: value }, true);
            }}
          >
            ${options.map(
              ([value, label]) =>
                html`<option value=${value} ?selected=${value === searchIn}>${label}</option>`,
            )}
          </select>`
          : nothing
      }
      <input
        id="search"
        type="search"
        aria-label=${byId ? 'Job id' : 'Search text'}
        placeholder=${placeholder}
        autocomplete="off"
        spellcheck="false"
        .value=${live(this.draft)}
        @input=${this.#onSearchInput}
        @keydown=${this.#onSearchKey}
      />
    </form>`;
  }

  protected override render(): TemplateResult {
    defineElement('qadmin-job-list', QadminJobList);
    const detail = this.#detail;
    const loadError =
      this.#task.status === TaskStatus.ERROR ? errorMessage(this.#task.error) : undefined;
    const state = this.#state;
    const pending = this.pending;
    const described = pending && detail ? this.#describe(pending, detail) : undefined;
    const showList = Boolean(this.queueId && (this.state || detail));
    return html`
      ${this.#renderHeader(detail)}
      ${detail ? this.#renderActions(detail) : nothing}
      ${
        this.actionError
          ? html`<div class="problem" role="alert">
            <div><strong>The action failed.</strong> ${this.actionError}</div>
            <button type="button" class="small" @click=${() => (this.actionError = undefined)}>Dismiss</button>
          </div>`
          : nothing
      }
      ${
        loadError
          ? html`<div class="problem" role="alert">
            <div>
              <strong>${detail ? 'Could not refresh the queue.' : 'Could not load the queue.'}</strong>
              ${loadError}
            </div>
            <button type="button" class="small" @click=${() => this.refresh()}>Retry</button>
          </div>`
          : nothing
      }
      ${this.#renderTabs(detail)}
      <div
        class="panel"
        id="panel"
        role="tabpanel"
        aria-labelledby=${detail ? `tab-${state}` : nothing}
        aria-label=${detail ? nothing : `${state} jobs`}
      >
        ${this.#renderSearch()}
        ${
          showList
            ? html`<qadmin-job-list
              .api=${this.client}
              .baseUrl=${this.baseUrl}
              .linkBase=${this.linkBase}
              .queueId=${this.queueId}
              .state=${state}
              .search=${this.search ?? ''}
              .searchIn=${this.#searchIn}
              .detail=${detail ?? null}
            ></qadmin-job-list>`
            : html`<div class="placeholder" aria-busy="true"></div>`
        }
      </div>
      ${
        pending && detail && described
          ? html`<qadmin-confirm
            danger
            .heading=${described.heading}
            .message=${described.message}
            .confirmText=${detail.name}
            .actionLabel=${described.label}
            >${this.#renderOptions(pending, detail)}</qadmin-confirm
          >`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-queue': QadminQueue;
  }
}
