import { ContextConsumer } from '@lit/context';
import { initialState, Task, TaskStatus } from '@lit/task';
import type { Overview, QueueDetail, Schedule } from '@qadmin/core';
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
import {
  absoluteTime,
  errorMessage,
  formatDuration,
  formatNumber,
  relativeTime,
  timeAgo,
} from '../../shared/format';
import { LiveController } from '../../shared/live';
import { routePath } from '../../shared/routes';
import { tokens, viewStyles } from '../../shared/styles';
import { describeCron } from './cron-describe';
import type { Field, FieldErrors, FormQueue, ScheduleForm } from './schedule-form';
import { schedulesStyles } from './schedules.styles';

type FormModule = typeof import('./schedule-form');

/** Queues read at the same time. */
const CONCURRENCY = 4;
/** Passed next runs refetch at most this often. */
const MIN_REFRESH_MS = 5_000;
/** The form fields a server error can name. */
const FIELDS: readonly Field[] = [
  'queueId',
  'id',
  'jobName',
  'pattern',
  'timezone',
  'everyMs',
  'data',
];

interface QueueResult {
  queueId: string;
  detail: QueueDetail | undefined;
  schedules: Schedule[] | undefined;
  error: unknown;
}

interface Row {
  queueId: string;
  schedule: Schedule;
}

interface Loaded {
  queues: QueueResult[];
  rows: Row[];
}

interface Removal {
  queueId: string;
  schedule: Schedule;
  busy: boolean;
  error: string | undefined;
}

/** Detail of `qadmin-schedule-saved`. */
export interface ScheduleSavedDetail {
  queueId: string;
  schedule: Schedule;
}

/** Detail of `qadmin-schedule-removed`. */
export interface ScheduleRemovedDetail {
  queueId: string;
  scheduleId: string;
}

/**
 * Repeatable jobs: the schedules of one queue, or of every queue whose
 * backend reads schedules, with their cron pattern (described in words) or
 * interval, time zone, next and last runs and data. Where the backend writes
 * schedules (and the dashboard is not read-only) a form creates or replaces
 * one, previewing the next runs of a cron expression as it is typed, and each
 * schedule can be edited or removed (after a confirmation).
 *
 * @summary Schedules (repeatable jobs) of one or every queue.
 * @event qadmin-schedule-saved - A schedule was created or replaced (detail: `{ queueId, schedule }`).
 * @event qadmin-schedule-removed - A schedule was removed (detail: `{ queueId, scheduleId }`).
 * @csspart header - The title bar.
 * @csspart toolbar - The buttons of the title bar.
 * @csspart form - The create / edit form.
 * @csspart table - The schedules table.
 * @csspart row - One schedule's row.
 * @cssproperty --qadmin-color-accent - Links, focus rings and the primary button.
 * @cssproperty --qadmin-color-danger - Errors and the remove button.
 */
export class QadminSchedules extends QadminElement {
  static override styles = [tokens, viewStyles, schedulesStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    form: { state: true },
    fieldErrors: { state: true },
    formError: { state: true },
    saving: { state: true },
    formModule: { state: true },
    formOpening: { state: true },
    formLoadError: { state: true },
    removal: { state: true },
    notice: { state: true },
  };

  /** Only the schedules of this queue (`<backend>:<name>`); empty for every queue that has them. */
  declare queueId: string;
  declare form: ScheduleForm | undefined;
  declare fieldErrors: FieldErrors;
  declare formError: string;
  declare saving: boolean;
  declare formModule: FormModule | undefined;
  declare formOpening: boolean;
  declare formLoadError: string;
  declare removal: Removal | undefined;
  declare notice: string;

  #config = new ContextConsumer(this, { context: configContext, subscribe: true });
  #details = new WeakMap<QadminApi, Map<string, QueueDetail>>();
  #last: Loaded | undefined;
  #lastRun = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  #auth = new AuthController(this, () => this.client);
  #live = new LiveController(
    this,
    () => this.client,
    (message) => {
      if (message.kind === 'event' && message.event.type === 'overview') this.#onOverview();
    },
  );

  #task = new Task(this, {
    task: async ([client, queueId, queueIds], { signal }) => {
      const ids = queueId ? [queueId] : queueIds ? queueIds.split('\n').filter(Boolean) : undefined;
      if (!ids) return initialState;
      this.#lastRun = Date.now();
      return this.#load(client, ids, signal);
    },
    args: () => {
      const overview = this.#live.feed?.overview;
      const ids =
        this.queueId || !overview ? undefined : overview.queues.map((q) => q.id).join('\n');
      return [this.client, this.queueId, ids] as const;
    },
    onComplete: (loaded) => {
      this.#last = loaded;
    },
  });

  constructor() {
    super();
    this.queueId = '';
    this.fieldErrors = {};
    this.formError = '';
    this.saving = false;
    this.formOpening = false;
    this.formLoadError = '';
    this.notice = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Refetches once a shown next run has passed (at most every 5 s). */
  #onOverview(): void {
    const loaded = this.#task.value ?? this.#last;
    if (!loaded || this.#timer !== undefined) return;
    const now = Date.now();
    const passed = loaded.rows.some(
      ({ schedule }) =>
        schedule.nextRunAt !== null &&
        schedule.nextRunAt > this.#lastRun &&
        schedule.nextRunAt < now,
    );
    if (!passed) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.isConnected) void this.#task.run();
      },
      Math.max(0, this.#lastRun + MIN_REFRESH_MS - now),
    );
  }

  async #load(client: QadminApi, ids: string[], signal: AbortSignal): Promise<Loaded> {
    let cache = this.#details.get(client);
    if (!cache) {
      cache = new Map();
      this.#details.set(client, cache);
    }
    const details = cache;
    const limit = limiter(CONCURRENCY);
    const queues = await Promise.all(
      ids.map(async (queueId): Promise<QueueResult> => {
        try {
          let detail = details.get(queueId);
          if (!detail) {
            detail = await limit(() => client.queue(queueId, { signal }));
            details.set(queueId, detail);
          }
          if (!detail.capabilities.schedules.read) {
            return { queueId, detail, schedules: undefined, error: undefined };
          }
          const schedules = await limit(() => client.schedules(queueId, { signal }));
          return { queueId, detail, schedules, error: undefined };
        } catch (error) {
          return { queueId, detail: details.get(queueId), schedules: undefined, error };
        }
      }),
    );
    signal.throwIfAborted();
    const rows = queues.flatMap((result) =>
      (result.schedules ?? []).map((schedule) => ({ queueId: result.queueId, schedule })),
    );
    return { queues, rows };
  }

  get #readOnly(): boolean {
    return Boolean(this.#config.value?.readOnly || this.#live.feed?.overview?.readOnly);
  }

  #writable(detail: QueueDetail | undefined): boolean {
    return Boolean(
      detail &&
        !detail.readOnly &&
        !this.#readOnly &&
        detail.capabilities.schedules.write &&
        this.#auth.can('schedules.write'),
    );
  }

  // ---- the form ----

  /** Opens the form (loading it, and croner, on first use): empty, or filled from `from` to edit it. */
  async #openForm(writable: QueueResult[], from?: Row): Promise<void> {
    if (this.formOpening) return;
    this.formOpening = true;
    this.formLoadError = '';
    try {
      const module = this.formModule ?? (await import('./schedule-form'));
      const queueId =
        from?.queueId ??
        (writable.some((q) => q.queueId === this.queueId)
          ? this.queueId
          : (writable[0]?.queueId ?? ''));
      this.fieldErrors = {};
      this.formError = '';
      this.formModule = module;
      this.form = module.createForm(queueId, from?.schedule);
    } catch (error) {
      this.formLoadError = `The form could not be loaded: ${errorMessage(error)}`;
    } finally {
      this.formOpening = false;
    }
  }

  #closeForm = (): void => {
    this.form = undefined;
    this.fieldErrors = {};
    this.formError = '';
  };

  #set = <K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]): void => {
    if (!this.form || !this.formModule) return;
    this.form = { ...this.form, [key]: value };
    const field = this.formModule.fieldOfKey(key);
    if (field && this.fieldErrors[field]) {
      const { [field]: _removed, ...rest } = this.fieldErrors;
      this.fieldErrors = rest;
    }
  };

  #submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = this.form;
    if (!form || !this.formModule || this.saving) return;
    const result = this.formModule.formInput(
      form,
      this.#formQueues(this.#writableQueues()).find((q) => q.id === form.queueId),
    );
    this.formError = '';
    if ('errors' in result) {
      this.fieldErrors = result.errors;
      void this.#focusFirstError();
      return;
    }
    this.saving = true;
    try {
      const schedule = await this.client.upsertSchedule(form.queueId, result.input);
      this.emit<ScheduleSavedDetail>('qadmin-schedule-saved', { queueId: form.queueId, schedule });
      this.notice = `Schedule ${schedule.id} of ${queueName(form.queueId)} saved.`;
      this.#closeForm();
      void this.#task.run();
    } catch (error) {
      const field = fieldOf(error);
      if (field) {
        this.fieldErrors = { ...this.fieldErrors, [field]: problemText(error) };
        void this.#focusFirstError();
      } else {
        this.formError = `Could not save the schedule: ${errorMessage(error)}`;
      }
    } finally {
      this.saving = false;
    }
  };

  async #focusFirstError(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  // ---- removal ----

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('removal') && changed.get('removal') === undefined && this.removal) {
      const dialog = this.renderRoot.querySelector('dialog');
      if (dialog && !dialog.open) dialog.showModal();
    }
    if (changed.has('form') && changed.get('form') === undefined && this.form) {
      this.renderRoot.querySelector<HTMLElement>('form.create select, form.create input')?.focus();
    }
  }

  async #remove(event: Event): Promise<void> {
    event.preventDefault();
    const removal = this.removal;
    if (!removal || removal.busy) return;
    this.removal = { ...removal, busy: true, error: undefined };
    try {
      await this.client.removeSchedule(removal.queueId, removal.schedule.id);
      this.emit<ScheduleRemovedDetail>('qadmin-schedule-removed', {
        queueId: removal.queueId,
        scheduleId: removal.schedule.id,
      });
      this.notice = `Schedule ${removal.schedule.id} of ${queueName(removal.queueId)} removed.`;
      this.removal = undefined;
      this.renderRoot.querySelector('dialog')?.close();
      void this.#task.run();
    } catch (error) {
      this.removal = { ...removal, busy: false, error: errorMessage(error) };
    }
  }

  // ---- rendering ----

  #repeat(schedule: Schedule): TemplateResult {
    if (schedule.pattern !== null) {
      const description = describeCron(schedule.pattern);
      return html`<code class="pattern">${schedule.pattern}</code>${
        description ? html`<span class="describe muted">${description}</span>` : nothing
      }`;
    }
    if (schedule.everyMs !== null) return html`every ${formatDuration(schedule.everyMs)}`;
    return html`<span class="muted">—</span>`;
  }

  #table(rows: Row[], writable: Set<string>, showQueue: boolean): TemplateResult {
    const actions = rows.some((row) => writable.has(row.queueId));
    return html`<div class="table-wrap">
      <table part="table">
        <caption class="sr-only">
          ${rows.length} ${rows.length === 1 ? 'schedule' : 'schedules'}
        </caption>
        <thead>
          <tr>
            ${showQueue ? html`<th scope="col">Queue</th>` : nothing}
            <th scope="col">Id</th>
            <th scope="col">Job name</th>
            <th scope="col">Repeats</th>
            <th scope="col">Time zone</th>
            <th scope="col">Next run</th>
            <th scope="col">Last run</th>
            <th scope="col">Data</th>
            ${actions ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : nothing}
          </tr>
        </thead>
        <tbody>
          ${repeat(
            rows,
            (row) => `${row.queueId}\u0000${row.schedule.id}`,
            (row) => {
              const { schedule } = row;
              const data =
                schedule.data === undefined || schedule.data === null
                  ? ''
                  : JSON.stringify(schedule.data);
              return html`<tr part="row">
                ${
                  showQueue
                    ? html`<td>
                      <a href=${this.href(routePath({ view: 'queue', queueId: row.queueId }))}>${queueName(row.queueId)}</a>
                    </td>`
                    : nothing
                }
                <td class="mono">${schedule.id}</td>
                <td>${schedule.jobName}</td>
                <td class="repeat">${this.#repeat(schedule)}</td>
                <td>${schedule.timezone ?? html`<span class="muted">—</span>`}</td>
                <td>
                  ${
                    schedule.nextRunAt === null
                      ? html`<span class="muted">—</span>`
                      : html`<time datetime=${new Date(schedule.nextRunAt).toISOString()}
                          >${relativeTime(schedule.nextRunAt)}</time
                        >
                        <span class="abs muted">${absoluteTime(schedule.nextRunAt)}</span>`
                  }
                </td>
                <td>${timeAgo(schedule.lastRunAt)}</td>
                <td class="data mono" title=${data.slice(0, 1000)}>
                  ${data || html`<span class="muted">—</span>`}
                </td>
                ${
                  actions
                    ? html`<td class="actions">
                      ${
                        writable.has(row.queueId)
                          ? html`<button
                              type="button"
                              class="small"
                              aria-label="Edit schedule ${schedule.id} of ${queueName(row.queueId)}"
                              @click=${() => this.#openForm(this.#writableQueues(), row)}
                            >
                              Edit</button
                            ><button
                              type="button"
                              class="small danger"
                              aria-label="Remove schedule ${schedule.id} of ${queueName(row.queueId)}"
                              @click=${() => {
                                this.removal = {
                                  queueId: row.queueId,
                                  schedule,
                                  busy: false,
                                  error: undefined,
                                };
                              }}
                            >
                              Remove
                            </button>`
                          : nothing
                      }
                    </td>`
                    : nothing
                }
              </tr>`;
            },
          )}
        </tbody>
      </table>
    </div>`;
  }

  /** The queues the form offers, with what their schedules can be. */
  #formQueues(writable: QueueResult[], overview = this.#live.feed?.overview): FormQueue[] {
    return writable.map((q) => {
      const capabilities = q.detail?.capabilities;
      return {
        id: q.queueId,
        label: queueLabel(q, overview),
        name: q.detail?.name ?? queueName(q.queueId),
        intervals: capabilities?.schedules.intervals ?? true,
        multiple: capabilities?.schedules.multiple ?? true,
        jobNames: capabilities?.jobNames ?? true,
      };
    });
  }

  #writableQueues(): QueueResult[] {
    const loaded = this.#task.value ?? this.#last;
    return (loaded?.queues ?? []).filter((q) => this.#writable(q.detail));
  }

  #dialog(): TemplateResult {
    const removal = this.removal;
    return html`<dialog aria-labelledby="remove-title" @close=${() => (this.removal = undefined)}>
      ${
        removal
          ? html`<form @submit=${this.#remove}>
            <h2 id="remove-title">Remove schedule ${removal.schedule.id}?</h2>
            <p>
              Queue <strong>${queueName(removal.queueId)}</strong> stops creating
              <strong>${removal.schedule.jobName}</strong> jobs
              ${removal.schedule.pattern ? html`(<code>${removal.schedule.pattern}</code>)` : nothing}.
              Jobs it already created stay.
            </p>
            ${removal.error ? html`<p class="error" role="alert">Could not remove it: ${removal.error}</p>` : nothing}
            <div class="form-actions">
              <button type="button" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>Cancel</button>
              <button type="submit" class="danger primary" ?disabled=${removal.busy}>
                ${removal.busy ? 'Removing…' : 'Remove schedule'}
              </button>
            </div>
          </form>`
          : nothing
      }
    </dialog>`;
  }

  #body(loaded: Loaded | undefined, writableQueues: QueueResult[]): TemplateResult {
    const error = this.#task.error;
    if (!loaded) {
      return error
        ? html`<p class="error" role="alert">Could not load the schedules: ${errorMessage(error)}</p>`
        : html`<p class="muted loading">Loading schedules…</p>`;
    }
    const readable = loaded.queues.filter((q) => q.detail?.capabilities.schedules.read);
    const failures = loaded.queues.filter((q) => q.error !== undefined);
    const errors = html`${
      error
        ? html`<p class="error" role="alert">Could not refresh the schedules: ${errorMessage(error)}</p>`
        : nothing
    }
    ${failures.map(
      (q) =>
        html`<p class="error" role="alert">
          Could not read the schedules of ${queueName(q.queueId)}: ${errorMessage(q.error)}
        </p>`,
    )}`;
    if (readable.length === 0 && failures.length === 0) {
      return html`<div class="empty" role="status">
        <p class="empty-title">
          ${this.queueId ? 'This backend does not support schedules' : 'No queue supports schedules'}
        </p>
        <p class="muted">Schedules show up here for backends that have repeatable jobs.</p>
      </div>`;
    }
    const writable = new Set(writableQueues.map((q) => q.queueId));
    return html`${errors}
      ${
        loaded.rows.length === 0
          ? failures.length > 0
            ? nothing
            : html`<div class="empty" role="status">
              <p class="empty-title">No schedules</p>
              <p class="muted">
                ${
                  writable.size > 0 && !this.form
                    ? 'Create one with “New schedule”.'
                    : 'Repeatable jobs appear here once the application registers them.'
                }
              </p>
            </div>`
          : this.#table(loaded.rows, writable, !this.queueId)
      }`;
  }

  protected override render(): TemplateResult {
    const overview = this.#live.feed?.overview;
    const loaded = this.#task.value ?? this.#last;
    const pending = this.#task.status === TaskStatus.PENDING;
    const writable = (loaded?.queues ?? []).filter((q) => this.#writable(q.detail));
    return html`
      <header part="header">
        <h1>Schedules</h1>
        ${loaded ? html`<span class="count muted">${formatNumber(loaded.rows.length)}</span>` : nothing}
        ${this.queueId ? html`<span class="muted">of ${queueName(this.queueId)}</span>` : nothing}
        <span class="busy muted" ?hidden=${!pending}>Refreshing…</span>
        <div class="toolbar" part="toolbar">
          ${
            writable.length > 0 && !this.form
              ? html`<button
                  type="button"
                  class="primary"
                  ?disabled=${this.formOpening}
                  @click=${() => this.#openForm(writable)}
                >
                  New schedule
                </button>`
              : nothing
          }
        </div>
      </header>
      <p class="notice" role="status">${this.notice}</p>
      ${this.formLoadError ? html`<p class="error" role="alert">${this.formLoadError}</p>` : nothing}
      ${
        this.form && this.formModule && writable.length > 0
          ? this.formModule.renderForm({
              form: this.form,
              queues: this.#formQueues(writable, overview),
              fieldErrors: this.fieldErrors,
              formError: this.formError,
              saving: this.saving,
              set: this.#set,
              submit: this.#submit,
              cancel: this.#closeForm,
            })
          : nothing
      }
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${this.#body(loaded, writable)}</div>
      ${this.#dialog()}
    `;
  }
}

/** "emails (BullMQ)": the queue's name and its backend's label. */
function queueLabel(queue: QueueResult, overview: Overview | undefined): string {
  const backend = queue.detail?.backend ?? queue.queueId.slice(0, queue.queueId.indexOf(':'));
  const label = overview?.backends.find((b) => b.id === backend)?.label ?? backend;
  return `${queue.detail?.name ?? queueName(queue.queueId)} (${label})`;
}

function queueName(queueId: string): string {
  return queueId.slice(queueId.indexOf(':') + 1);
}

/** The form field a problem names (`body.pattern` -> `pattern`), if it is one of ours. */
function fieldOf(error: unknown): Field | undefined {
  const field = (error as { field?: unknown } | null)?.field;
  if (typeof field !== 'string') return undefined;
  const name = field.replace(/^(body|path|params)\./, '').split(/[.[]/)[0];
  return (FIELDS as readonly string[]).includes(name ?? '') ? (name as Field) : undefined;
}

/** The most specific text of a problem: its detail, else its message. */
function problemText(error: unknown): string {
  const detail = (error as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' && detail ? detail : errorMessage(error);
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
    'qadmin-schedules': QadminSchedules;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-schedule-saved': CustomEvent<ScheduleSavedDetail>;
    'qadmin-schedule-removed': CustomEvent<ScheduleRemovedDetail>;
  }
}
