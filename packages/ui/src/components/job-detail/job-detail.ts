import { ContextConsumer } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import type {
  ApiJob,
  JobAction,
  JobActionType,
  JobLogLine,
  JobRef,
  JobState,
  QueueDetail,
} from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { live } from 'lit/directives/live.js';
import { AuthController } from '../../shared/auth';
import { configContext, type QadminConfig } from '../../shared/context';
import { QadminElement } from '../../shared/element';
import {
  absoluteTime,
  errorMessage,
  formatDuration,
  formatNumber,
  timeAgo,
} from '../../shared/format';
import { LiveController, type LiveMessage } from '../../shared/live';
import { routePath } from '../../shared/routes';
import { styleProps } from '../../shared/style-props';
import { stateColors, tokens } from '../../shared/styles';
import { jobDetailStyles } from './job-detail.styles';

/** Detail of `qadmin-job-action`: an action on one job was tried, and whether it worked. */
export interface JobActionDetail {
  queueId: string;
  jobId: string;
  action: JobActionType;
  ok: boolean;
}

/** Log lines fetched per request. */
export const LOG_PAGE = 100;
/** Live events reload the job at most this often. */
const RELOAD_MS = 1000;

const FINISHED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'abandoned']);
/** Jobs that can be marked completed by hand: running, or waiting to run. */
const COMPLETABLE: ReadonlySet<JobState> = new Set(['active', 'waiting', 'delayed', 'prioritized']);

/** The states in which each action makes sense, in the order the toolbar shows them. */
const ACTIONS: [JobActionType, string, (state: JobState) => boolean][] = [
  ['retry', 'Retry', (state) => state === 'failed' || state === 'completed'],
  ['promote', 'Run now', (state) => state === 'delayed'],
  ['change-delay', 'Change delay…', (state) => state === 'delayed'],
  [
    'change-priority',
    'Change priority…',
    (state) => state === 'waiting' || state === 'prioritized',
  ],
  ['update-data', 'Edit data…', () => true],
  ['duplicate', 'Duplicate', () => true],
  ['complete', 'Mark completed', (state) => COMPLETABLE.has(state)],
  ['cancel', 'Cancel job', (state) => !FINISHED.has(state)],
  ['discard', 'Discard', (state) => state === 'active'],
  ['remove', 'Remove', (state) => state !== 'active'],
];

const DOING: Record<JobActionType, string> = {
  retry: 'Retrying',
  promote: 'Promoting',
  'change-delay': 'Changing the delay',
  'change-priority': 'Changing the priority',
  'update-data': 'Saving the data',
  duplicate: 'Duplicating',
  complete: 'Marking completed',
  cancel: 'Cancelling',
  discard: 'Discarding',
  remove: 'Removing',
};

const DONE: Record<JobActionType, string> = {
  retry: 'Retry queued',
  promote: 'Promoted',
  'change-delay': 'Delay changed',
  'change-priority': 'Priority changed',
  'update-data': 'Data saved',
  duplicate: 'Duplicated',
  complete: 'Marked completed',
  cancel: 'Cancelled',
  discard: 'Discarded',
  remove: 'Removed',
};

/** Actions that end the job for good: confirmed first. */
const CONFIRM: Partial<Record<JobActionType, { message: string; label: string }>> = {
  remove: {
    message: 'The job, its data and its logs are deleted from the queue. This cannot be undone.',
    label: 'Remove job',
  },
  discard: {
    message:
      'The running job is failed now, without further attempts, and its worker is told to stop.',
    label: 'Discard job',
  },
  cancel: {
    message: 'The job will not run again (a running one is stopped). This cannot be undone.',
    label: 'Cancel job',
  },
  complete: {
    message: 'The job is marked completed without running (a running one is told to stop).',
    label: 'Complete job',
  },
};

type Editor = 'update-data' | 'change-delay' | 'change-priority';

interface Outcome {
  ok: boolean;
  text: string;
  link?: { href: string; label: string };
}

interface LogView {
  lines: JobLogLine[];
  /** Offset of the first line held. */
  start: number;
  total: number;
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: unknown } | undefined)?.status === 404;
}

function stateLabel(state: string): string {
  return state.replace('-', ' ');
}

/**
 * One job: its state, progress (live), attempts, timeline with wait and
 * processing times, failure reason and stack traces, data, return value and
 * options, logs, flow parent and children, and the actions the queue allows
 * in the job's state and the signed-in user may take (none when read-only).
 * Reloads when a live event says the job changed.
 *
 * @summary The detail page of one job.
 * @event qadmin-job-action - An action was tried on the job (detail: {queueId, jobId, action, ok}).
 * @csspart header - The job's name, id, state and queue.
 * @csspart toolbar - The action buttons.
 * @cssproperty --qadmin-color-danger - Colour of failures and dangerous actions.
 * @cssproperty --qadmin-font-mono - Font of ids, stack traces and logs.
 */
export class QadminJobDetail extends QadminElement {
  static override styles = [tokens, stateColors, jobDetailStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    jobId: { attribute: 'job-id' },
    job: { state: true },
    logs: { state: true },
    logsError: { state: true },
    logsBusy: { state: true },
    busy: { state: true },
    outcome: { state: true },
    editor: { state: true },
    draft: { state: true },
    draftError: { state: true },
    removed: { state: true },
    config: { state: true },
  };

  /** Dashboard-wide id of the job's queue (`memory:emails`). */
  declare queueId: string;
  /** Id of the job in its queue. */
  declare jobId: string;
  declare job: ApiJob | undefined;
  declare logs: LogView | undefined;
  declare logsError: string;
  declare logsBusy: boolean;
  declare busy: JobActionType | null;
  declare outcome: Outcome | undefined;
  declare editor: Editor | null;
  declare draft: string;
  declare draftError: string;
  declare removed: boolean;
  declare config: QadminConfig | undefined;

  #lastLoad = 0;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  #logsAbort: AbortController | undefined;

  #jobTask = new Task(this, {
    task: async ([client, queueId, jobId], { signal }) => {
      this.#lastLoad = Date.now();
      return client.getJob(queueId, jobId, { signal });
    },
    args: () => [this.client, this.queueId, this.jobId] as const,
    onComplete: (job) => {
      if (job.queueId === this.queueId && job.id === this.jobId) this.job = job;
    },
  });

  #queueTask = new Task(this, {
    task: ([client, queueId], { signal }) => client.queue(queueId, { signal }),
    args: () => [this.client, this.queueId] as const,
  });

  #logsTask = new Task(this, {
    task: async ([client, queueId, jobId, enabled], { signal }): Promise<LogView | undefined> => {
      if (!enabled || !queueId || !jobId) return undefined;
      const first = await client.getJobLogs(
        queueId,
        jobId,
        { offset: 0, limit: LOG_PAGE },
        { signal },
      );
      if (first.total <= first.lines.length)
        return { lines: first.lines, start: 0, total: first.total };
      // Newest at the bottom: show the tail, with earlier lines on demand.
      const start = Math.max(0, first.total - LOG_PAGE);
      const tail = await client.getJobLogs(
        queueId,
        jobId,
        { offset: start, limit: LOG_PAGE },
        { signal },
      );
      return { lines: tail.lines, start, total: tail.total };
    },
    args: () =>
      [
        this.client,
        this.queueId,
        this.jobId,
        this.#queueTask.value?.capabilities.logs === true,
      ] as const,
    onComplete: (logs) => {
      this.logs = logs;
      this.logsError = '';
    },
    onError: (error) => {
      this.logsError = errorMessage(error);
    },
  });

  #live = new LiveController(
    this,
    () => this.client,
    (message) => this.#onLive(message),
  );
  #auth = new AuthController(this, () => this.client);

  constructor() {
    super();
    this.queueId = '';
    this.jobId = '';
    this.job = undefined;
    this.logs = undefined;
    this.logsError = '';
    this.logsBusy = false;
    this.busy = null;
    this.outcome = undefined;
    this.editor = null;
    this.draft = '';
    this.draftError = '';
    this.removed = false;
    new ContextConsumer(this, {
      context: configContext,
      subscribe: true,
      callback: (config) => {
        this.config = config;
      },
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('queueId') || changed.has('jobId')) {
      this.job = undefined;
      this.logs = undefined;
      this.logsError = '';
      this.outcome = undefined;
      this.editor = null;
      this.removed = false;
      this.#logsAbort?.abort();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = undefined;
    this.#logsAbort?.abort();
  }

  get #queue(): QueueDetail | undefined {
    const queue = this.#queueTask.value;
    return queue?.id === this.queueId ? queue : undefined;
  }

  /** The queue's name, known from its id before the queue has loaded. */
  get #queueName(): string {
    return this.#queue?.name ?? this.queueId.slice(this.queueId.indexOf(':') + 1);
  }

  /** Jobs of this queue have no name of their own: theirs is the queue's, already in the breadcrumb. */
  get #namedAfterQueue(): boolean {
    return this.#queue?.capabilities.jobNames === false;
  }

  get #readOnly(): boolean {
    return (
      this.#queue?.readOnly === true ||
      this.config?.readOnly === true ||
      this.#live.feed?.overview?.readOnly === true
    );
  }

  // ------------------------------------------------------------ live updates

  #onLive(message: LiveMessage): void {
    if (message.kind !== 'event' || this.removed) return;
    const event = message.event;
    if (event.type === 'progress' && event.queueId === this.queueId && event.jobId === this.jobId) {
      if (this.job) this.job = { ...this.job, progress: event.progress };
    } else if (
      event.type === 'job' &&
      event.queueId === this.queueId &&
      event.jobId === this.jobId
    ) {
      this.#scheduleReload();
    }
  }

  /** Reloads at most once per {@link RELOAD_MS}, however many events arrive. */
  #scheduleReload(): void {
    if (this.#reloadTimer !== undefined) return;
    const wait = Math.max(0, this.#lastLoad + RELOAD_MS - Date.now());
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = undefined;
      void this.#jobTask.run();
      void this.#loadNewerLogs();
    }, wait);
  }

  // ------------------------------------------------------------ logs

  #logsSignal(): AbortSignal {
    this.#logsAbort?.abort();
    this.#logsAbort = new AbortController();
    return this.#logsAbort.signal;
  }

  async #loadEarlierLogs(): Promise<void> {
    const logs = this.logs;
    if (!logs || logs.start === 0) return;
    const { queueId, jobId } = this;
    const signal = this.#logsSignal();
    const from = Math.max(0, logs.start - LOG_PAGE);
    this.logsBusy = true;
    try {
      const page = await this.client.getJobLogs(
        queueId,
        jobId,
        { offset: from, limit: logs.start - from },
        { signal },
      );
      if (signal.aborted || this.logs !== logs) return;
      this.logs = {
        lines: [...page.lines, ...logs.lines],
        start: from,
        total: Math.max(page.total, logs.total),
      };
      this.logsError = '';
    } catch (error) {
      if (!signal.aborted) this.logsError = errorMessage(error);
    } finally {
      if (!signal.aborted) this.logsBusy = false;
    }
  }

  /** Appends lines written since the last load (live updates, "load newer"). */
  async #loadNewerLogs(): Promise<void> {
    const logs = this.logs;
    if (!logs || this.#logsTask.status === TaskStatus.PENDING) return;
    const { queueId, jobId } = this;
    const signal = this.#logsSignal();
    const end = logs.start + logs.lines.length;
    try {
      const page = await this.client.getJobLogs(
        queueId,
        jobId,
        { offset: end, limit: LOG_PAGE },
        { signal },
      );
      if (signal.aborted || this.logs !== logs) return;
      if (page.total < end) {
        // The log was cut or restarted (a retry): load it afresh.
        void this.#logsTask.run();
        return;
      }
      this.logs = { lines: [...logs.lines, ...page.lines], start: logs.start, total: page.total };
      this.logsError = '';
    } catch (error) {
      if (!signal.aborted) this.logsError = errorMessage(error);
    }
  }

  // ------------------------------------------------------------ actions

  #jobHref(queueId: string, jobId: string): string {
    return this.href(routePath({ view: 'job', queueId, jobId }));
  }

  get #queueHref(): string {
    return this.href(routePath({ view: 'queue', queueId: this.queueId }));
  }

  /** The dashboard-wide queue id of a flow reference (refs name a queue of the same backend). */
  #refQueueId(ref: JobRef): string {
    const backend =
      this.#queue?.backend ?? this.queueId.slice(0, Math.max(0, this.queueId.indexOf(':')));
    return backend ? `${backend}:${ref.queue}` : ref.queue;
  }

  async #confirm(type: JobActionType): Promise<boolean> {
    const text = CONFIRM[type];
    if (!text) return true;
    const heading = `${text.label.replace(' job', '')} job ${this.jobId}?`;
    const dialog = this.renderRoot.querySelector('qadmin-confirm');
    if (dialog && typeof dialog.ask === 'function') {
      Object.assign(dialog, {
        heading,
        message: text.message,
        actionLabel: text.label,
        danger: true,
        confirmText: '',
      });
      return dialog.ask();
    }
    // Without the confirm element registered (an embedding that defined only this one).
    return window.confirm(`${heading}\n\n${text.message}`);
  }

  async #act(action: JobAction): Promise<void> {
    const { queueId, jobId } = this;
    const type = action.type;
    if (this.busy || !(await this.#confirm(type))) return;
    this.busy = type;
    this.outcome = undefined;
    let ok = false;
    try {
      const { job } = await this.client.jobAction(queueId, jobId, action);
      ok = true;
      if (queueId !== this.queueId || jobId !== this.jobId) return;
      this.outcome = this.#success(type, job);
      if (type === 'remove') {
        this.removed = true;
        clearTimeout(this.#reloadTimer);
        this.#reloadTimer = undefined;
      } else if (job && type !== 'duplicate') {
        this.job = job;
      }
      if (type === this.editor) this.editor = null;
    } catch (error) {
      if (queueId === this.queueId && jobId === this.jobId) {
        this.outcome = { ok: false, text: `${DOING[type]} failed: ${errorMessage(error)}` };
      }
    } finally {
      this.busy = null;
      this.emit<JobActionDetail>('qadmin-job-action', { queueId, jobId, action: type, ok });
    }
  }

  #success(type: JobActionType, job: ApiJob | null): Outcome {
    const now = job ? ` The job is now ${stateLabel(job.state)}.` : '';
    switch (type) {
      case 'remove':
        return {
          ok: true,
          text: `Job ${this.jobId} was removed.`,
          link: { href: this.#queueHref, label: `Back to ${this.#queueName}` },
        };
      case 'duplicate':
        return job
          ? {
              ok: true,
              text: `Duplicated as job ${job.id}.`,
              link: { href: this.#jobHref(job.queueId, job.id), label: `Open job ${job.id}` },
            }
          : { ok: true, text: 'Duplicated.' };
      default:
        return { ok: true, text: `${DONE[type]}.${now}` };
    }
  }

  #onAction(type: JobActionType): void {
    if (type === 'update-data' || type === 'change-delay' || type === 'change-priority') {
      if (this.editor === type) this.editor = null;
      else this.#openEditor(type);
    } else {
      void this.#act({ type } as JobAction);
    }
  }

  #openEditor(editor: Editor): void {
    const job = this.job;
    if (!job) return;
    this.outcome = undefined;
    this.draftError = '';
    if (editor === 'update-data') {
      this.draft = JSON.stringify(job.data ?? null, null, 2) ?? 'null';
    } else if (editor === 'change-delay') {
      const left = job.delayedUntil ? Math.max(0, job.delayedUntil - Date.now()) : 0;
      this.draft = String(Math.round(left / 1000));
    } else {
      this.draft = String(job.priority ?? 0);
    }
    this.editor = editor;
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>(
        '#editor-input',
      );
      input?.focus();
      if (input instanceof HTMLTextAreaElement) {
        input.setSelectionRange(0, 0);
        input.scrollTop = 0;
      }
    });
  }

  #submitEditor(event: SubmitEvent): void {
    event.preventDefault();
    const editor = this.editor;
    if (!editor) return;
    const action = this.#parseDraft(editor);
    if (typeof action === 'string') {
      this.draftError = action;
      this.renderRoot.querySelector<HTMLElement>('#editor-input')?.focus();
      return;
    }
    this.draftError = '';
    void this.#act(action);
  }

  /** The action the editor's text describes, or why it is not valid. */
  #parseDraft(editor: Editor): JobAction | string {
    const text = this.draft.trim();
    if (editor === 'update-data') {
      try {
        return { type: 'update-data', data: JSON.parse(text) };
      } catch (error) {
        return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const number = Number(text);
    if (editor === 'change-delay') {
      if (text === '' || !Number.isFinite(number) || number < 0)
        return 'Enter a number of seconds, 0 or more.';
      return { type: 'change-delay', delayMs: Math.round(number * 1000) };
    }
    if (text === '' || !Number.isInteger(number) || number < 0)
      return 'Enter a whole number, 0 or more.';
    return { type: 'change-priority', priority: number };
  }

  // ------------------------------------------------------------ rendering

  #header(job: ApiJob | undefined): TemplateResult {
    const queueName = this.#queueName;
    return html`<header part="header">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href=${this.href(routePath({ view: 'overview' }))}>Overview</a>
        <span aria-hidden="true">/</span>
        <a href=${this.#queueHref}>${queueName}</a>
        <span aria-hidden="true">/</span>
        <span>Job</span>
      </nav>
      <h1>
        <span class="name">${this.#namedAfterQueue ? 'Job' : (job?.name ?? 'Job')}</span>
        <span class="id mono" title="Job id">${this.jobId}</span>
        ${
          job
            ? html`<span class="badge state-${job.state}">${stateLabel(job.state)}</span>
              ${
                job.nativeState !== job.state
                  ? html`<span class="muted native" title="The backend's own state">${job.nativeState}</span>`
                  : nothing
              }`
            : nothing
        }
      </h1>
    </header>`;
  }

  #toolbar(job: ApiJob): TemplateResult | typeof nothing {
    const queue = this.#queue;
    if (!queue || this.#readOnly || this.removed) return nothing;
    const allowed = ACTIONS.filter(
      ([type, , fits]) =>
        queue.capabilities.jobActions.includes(type) &&
        this.#auth.can(`job.${type}`) &&
        fits(job.state),
    );
    if (allowed.length === 0) return nothing;
    return html`<div class="toolbar" part="toolbar" role="group" aria-label="Job actions" aria-busy=${this.busy ? 'true' : 'false'}>
      ${allowed.map(([type, label]) => {
        const editor =
          type === 'update-data' || type === 'change-delay' || type === 'change-priority';
        return html`<button
          type="button"
          class=${type === 'remove' || type === 'discard' || type === 'cancel' ? 'danger' : type === 'retry' ? 'primary' : ''}
          data-action=${type}
          ?disabled=${this.busy !== null}
          aria-expanded=${editor ? (this.editor === type ? 'true' : 'false') : nothing}
          @click=${() => this.#onAction(type)}
        >
          ${label}
        </button>`;
      })}
    </div>`;
  }

  #editorForm(): TemplateResult | typeof nothing {
    const editor = this.editor;
    if (!editor || this.#readOnly || this.removed || !this.#auth.can(`job.${editor}`)) {
      return nothing;
    }
    const labels: Record<Editor, [string, string, string]> = {
      'update-data': ['Job data (JSON)', 'Save data', 'Replaces the whole data of the job.'],
      'change-delay': [
        'Run in (seconds from now)',
        'Change delay',
        'The job stays delayed until then.',
      ],
      'change-priority': [
        'Priority (0 = none)',
        'Change priority',
        'How lower and higher numbers rank depends on the queue library.',
      ],
    };
    const [label, submit, hint] = labels[editor];
    const invalid = this.draftError !== '';
    const input =
      editor === 'update-data'
        ? html`<textarea
            id="editor-input"
            class="mono"
            rows="12"
            spellcheck="false"
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby="editor-hint editor-error"
            .value=${live(this.draft)}
            @input=${(e: InputEvent) => {
              this.draft = (e.target as HTMLTextAreaElement).value;
              this.draftError = '';
            }}
          ></textarea>`
        : html`<input
            id="editor-input"
            type="number"
            min="0"
            step=${editor === 'change-delay' ? 'any' : '1'}
            inputmode=${editor === 'change-delay' ? 'decimal' : 'numeric'}
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby="editor-hint editor-error"
            .value=${live(this.draft)}
            @input=${(e: InputEvent) => {
              this.draft = (e.target as HTMLInputElement).value;
              this.draftError = '';
            }}
          />`;
    return html`<form class="editor" @submit=${this.#submitEditor} novalidate>
      <label for="editor-input">${label}</label>
      ${input}
      <p id="editor-hint" class="muted hint">${hint}</p>
      <p id="editor-error" class="error" role=${invalid ? 'alert' : nothing}>${this.draftError}</p>
      <div class="buttons">
        <button type="submit" class="primary" ?disabled=${this.busy !== null}>${submit}</button>
        <button type="button" @click=${() => (this.editor = null)}>Close</button>
      </div>
    </form>`;
  }

  #outcomeView(): TemplateResult {
    const outcome = this.outcome;
    const busy = this.busy ? `${DOING[this.busy]}…` : '';
    return html`<div class="outcome-slot">
      <div role="status" class=${outcome?.ok ? 'outcome ok' : busy ? 'outcome' : ''}>
        ${busy || (outcome?.ok ? html`${outcome.text} ${outcome.link ? html`<a href=${outcome.link.href}>${outcome.link.label}</a>` : nothing}` : nothing)}
      </div>
      ${
        outcome && !outcome.ok
          ? html`<div role="alert" class="outcome failed">
            ${outcome.text}
            <button type="button" class="dismiss" aria-label="Dismiss" @click=${() => (this.outcome = undefined)}>×</button>
          </div>`
          : nothing
      }
    </div>`;
  }

  #progress(job: ApiJob): TemplateResult | typeof nothing {
    const progress = job.progress;
    if (progress === null || progress === undefined) return nothing;
    if (typeof progress === 'number') {
      const value = Math.max(0, Math.min(100, progress));
      return html`<div class="progress-row">
        <div
          class="progress"
          role="progressbar"
          aria-label="Progress"
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${value}
        >
          <div class="fill" style=${styleProps({ width: `${value}%` })}></div>
        </div>
        <span class="num percent">${formatNumber(Math.round(value * 10) / 10)}%</span>
      </div>`;
    }
    return html`<qadmin-json-view .value=${progress} label="Progress" expand-depth="2"></qadmin-json-view>`;
  }

  #facts(job: ApiJob): TemplateResult {
    const optionDelay = job.options.delay;
    const delay =
      typeof optionDelay === 'number'
        ? formatDuration(optionDelay)
        : job.delayedUntil !== null
          ? formatDuration(job.delayedUntil - job.createdAt)
          : '—';
    return html`<dl class="facts">
      <div><dt>Attempts</dt><dd class="num">${formatNumber(job.attemptsMade)}${job.attemptsAllowed !== null ? html` / ${formatNumber(job.attemptsAllowed)}` : nothing}</dd></div>
      <div><dt>Priority</dt><dd class="num">${job.priority === null ? '—' : formatNumber(job.priority)}</dd></div>
      <div><dt>Delay</dt><dd class="num">${delay}</dd></div>
      <div><dt>Worker</dt><dd class="mono">${job.workerId ?? html`<span class="muted">—</span>`}</dd></div>
    </dl>`;
  }

  #timeline(job: ApiJob): TemplateResult {
    const step = (
      label: string,
      at: number | null,
      note?: string,
    ) => html`<li class=${at === null ? 'pending' : ''}>
      <span class="step">${label}</span>
      ${
        at === null
          ? html`<span class="muted">not yet</span>`
          : html`${timeAgo(at)} <span class="abs">${absoluteTime(at)}</span>`
      }
      ${note ? html`<span class="duration">${note}</span>` : nothing}
    </li>`;
    const waited = job.processedAt !== null ? job.processedAt - job.createdAt : null;
    const ran =
      job.processedAt !== null && job.finishedAt !== null ? job.finishedAt - job.processedAt : null;
    const finished = FINISHED.has(job.state)
      ? stateLabel(job.state).replace(/^./, (c) => c.toUpperCase())
      : 'Finished';
    return html`<ol class="timeline">
      ${step('Created', job.createdAt)}
      ${job.delayedUntil !== null ? step('Delayed until', job.delayedUntil) : nothing}
      ${step('Processed', job.processedAt, waited !== null ? `waited ${formatDuration(waited)}` : undefined)}
      ${step(finished, job.finishedAt, ran !== null ? `ran ${formatDuration(ran)}` : undefined)}
    </ol>`;
  }

  #failure(job: ApiJob): TemplateResult | typeof nothing {
    if (!job.failedReason && job.stacktrace.length === 0) return nothing;
    const count = job.stacktrace.length;
    return html`<section class="failure" aria-labelledby="failure-heading">
      <h2 id="failure-heading">${job.state === 'failed' ? 'Failure' : 'Last failure'}</h2>
      ${job.failedReason ? html`<p class="reason">${job.failedReason}</p>` : nothing}
      ${job.stacktrace.map(
        (trace, i) => html`<details ?open=${i === 0}>
          <summary>Stack trace ${count > 1 ? `${i + 1} of ${count}` : ''}</summary>
          <pre class="mono">${trace}</pre>
        </details>`,
      )}
    </section>`;
  }

  #flow(job: ApiJob): TemplateResult | typeof nothing {
    if (!job.parent && job.children.length === 0) return nothing;
    const link = (ref: JobRef) => html`<a href=${this.#jobHref(this.#refQueueId(ref), ref.id)}>
        <span class="mono">${ref.id}</span>
        <span class="muted">in ${ref.queue}</span>
      </a>
      ${ref.state ? html`<span class="badge state-${ref.state}">${stateLabel(ref.state)}</span>` : nothing}`;
    return html`<section aria-labelledby="flow-heading">
      <h2 id="flow-heading">Flow</h2>
      ${job.parent ? html`<p class="parent">Parent: ${link(job.parent)}</p>` : nothing}
      ${
        job.children.length > 0
          ? html`<h3>Children <span class="muted num">${formatNumber(job.children.length)}</span></h3>
            <ul class="children">
              ${job.children.map((child) => html`<li>${link(child)}</li>`)}
            </ul>`
          : nothing
      }
    </section>`;
  }

  #logsView(): TemplateResult | typeof nothing {
    if (this.#queue?.capabilities.logs !== true) return nothing;
    const logs = this.logs;
    const loading = this.#logsTask.status === TaskStatus.PENDING && !logs;
    const end = logs ? logs.start + logs.lines.length : 0;
    return html`<section aria-labelledby="logs-heading" class="logs">
      <h2 id="logs-heading">
        Logs ${logs ? html`<span class="muted num">${formatNumber(logs.total)}</span>` : nothing}
      </h2>
      ${this.logsError ? html`<p class="error" role="alert">Could not load the logs: ${this.logsError}</p>` : nothing}
      ${loading ? html`<p class="muted">Loading logs…</p>` : nothing}
      ${logs && logs.total === 0 ? html`<p class="muted">No log lines.</p>` : nothing}
      ${
        logs && logs.start > 0
          ? html`<button type="button" class="more" ?disabled=${this.logsBusy} @click=${this.#loadEarlierLogs}>
            Load more: ${formatNumber(Math.min(LOG_PAGE, logs.start))} earlier lines
            (${formatNumber(logs.start)} not shown)
          </button>`
          : nothing
      }
      ${
        logs && logs.lines.length > 0
          ? html`<table>
            <thead>
              <tr><th class="num" scope="col">#</th><th scope="col">Time</th><th scope="col">Message</th></tr>
            </thead>
            <tbody>
              ${logs.lines.map(
                (line, i) => html`<tr>
                  <td class="num muted">${formatNumber(logs.start + i + 1)}</td>
                  <td class="time">${
                    line.timestamp === null
                      ? html`<span class="muted">—</span>`
                      : html`<time datetime=${new Date(line.timestamp).toISOString()} title=${absoluteTime(line.timestamp)}
                          >${new Date(line.timestamp).toLocaleTimeString()}</time
                        >`
                  }</td>
                  <td class="mono message">${line.message}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
          : nothing
      }
      ${
        logs && end < logs.total
          ? html`<button type="button" class="more" @click=${this.#loadNewerLogs}>
            Load newer lines (${formatNumber(logs.total - end)})
          </button>`
          : nothing
      }
    </section>`;
  }

  #notFound(): TemplateResult {
    return html`${this.#header(undefined)}
      <section class="empty" aria-labelledby="missing-heading">
        <h2 id="missing-heading">Job not found (maybe removed)</h2>
        <p>
          There is no job <code>${this.jobId}</code> in <code>${this.#queueName}</code>: it
          may have been removed, cleaned by a retention policy, or never existed.
        </p>
        <p><a href=${this.#queueHref}>Back to ${this.#queueName}</a></p>
      </section>`;
  }

  protected override render(): TemplateResult {
    const task = this.#jobTask;
    const job =
      this.job?.id === this.jobId && this.job.queueId === this.queueId ? this.job : undefined;
    if (this.removed) {
      return html`${this.#header(job)}${this.#outcomeView()}
        <section class="empty"><p>This job no longer exists.</p></section>`;
    }
    if (task.status === TaskStatus.ERROR && isNotFound(task.error)) return this.#notFound();
    if (!job) {
      if (task.status === TaskStatus.ERROR) {
        return html`${this.#header(undefined)}
          <section class="empty" role="alert">
            <p class="error">Could not load job ${this.jobId}: ${errorMessage(task.error)}</p>
            <button type="button" @click=${() => task.run()}>Try again</button>
          </section>`;
      }
      return html`${this.#header(undefined)}<p class="muted loading" aria-busy="true">Loading job…</p>`;
    }
    const queueError =
      this.#queueTask.status === TaskStatus.ERROR ? errorMessage(this.#queueTask.error) : '';
    const showReturn =
      job.state === 'completed' || (job.returnValue !== null && job.returnValue !== undefined);
    return html`
      ${this.#header(job)}
      ${this.#toolbar(job)}
      ${this.#editorForm()}
      ${this.#outcomeView()}
      ${
        task.status === TaskStatus.ERROR
          ? html`<p class="error stale" role="alert">Could not refresh: ${errorMessage(task.error)}. Showing the last data.</p>`
          : nothing
      }
      ${queueError ? html`<p class="error">Could not load the queue (${queueError}): actions and logs are unavailable.</p>` : nothing}
      <div class="layout">
        <div class="main">
          ${this.#progress(job)}
          ${this.#failure(job)}
          <section aria-labelledby="data-heading">
            <h2 id="data-heading">Data</h2>
            <qadmin-json-view .value=${job.data} label="Job data"></qadmin-json-view>
          </section>
          ${
            showReturn
              ? html`<section aria-labelledby="return-heading">
                <h2 id="return-heading">Return value</h2>
                <qadmin-json-view .value=${job.returnValue} label="Return value"></qadmin-json-view>
              </section>`
              : nothing
          }
          ${this.#logsView()}
        </div>
        <aside class="side" aria-label="Job facts">
          <section aria-labelledby="facts-heading">
            <h2 id="facts-heading">Facts</h2>
            ${this.#facts(job)}
          </section>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            ${this.#timeline(job)}
          </section>
          ${this.#flow(job)}
          <section aria-labelledby="options-heading">
            <h2 id="options-heading">Options</h2>
            <qadmin-json-view .value=${job.options} label="Job options"></qadmin-json-view>
          </section>
        </aside>
      </div>
      <qadmin-confirm></qadmin-confirm>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-job-detail': QadminJobDetail;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-job-action': CustomEvent<JobActionDetail>;
  }
}
