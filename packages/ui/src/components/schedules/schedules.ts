import { ContextConsumer } from '@lit/context';
import { initialState, Task, TaskStatus } from '@lit/task';
import type { Overview, QueueDetail, Schedule, ScheduleInput } from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { repeat } from 'lit/directives/repeat.js';
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
import { tokens } from '../../shared/styles';
import { describeCron } from './cron-describe';
import { schedulesStyles } from './schedules.styles';

type Croner = typeof import('croner');

/** Queues read at the same time. */
const CONCURRENCY = 4;
/** Passed next runs refetch at most this often. */
const MIN_REFRESH_MS = 5_000;
const PREVIEW_RUNS = 5;
const UNITS = [
  ['seconds', 1_000],
  ['minutes', 60_000],
  ['hours', 3_600_000],
  ['days', 86_400_000],
] as const;

/** What the create form edits. */
interface ScheduleForm {
  queueId: string;
  id: string;
  jobName: string;
  kind: 'cron' | 'every';
  pattern: string;
  timezone: string;
  every: string;
  unit: number;
  data: string;
  options: Record<string, unknown> | undefined;
  editing: boolean;
}

/** The form fields a (server) error can be shown next to. */
type Field = 'queueId' | 'id' | 'jobName' | 'pattern' | 'timezone' | 'everyMs' | 'data';
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
  static override styles = [tokens, schedulesStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    form: { state: true },
    fieldErrors: { state: true },
    formError: { state: true },
    saving: { state: true },
    croner: { state: true },
    cronerError: { state: true },
    removal: { state: true },
    notice: { state: true },
  };

  /** Only the schedules of this queue (`<backend>:<name>`); empty for every queue that has them. */
  declare queueId: string;
  declare form: ScheduleForm | undefined;
  declare fieldErrors: Partial<Record<Field, string>>;
  declare formError: string;
  declare saving: boolean;
  declare croner: Croner | undefined;
  declare cronerError: string;
  declare removal: Removal | undefined;
  declare notice: string;

  #config = new ContextConsumer(this, { context: configContext, subscribe: true });
  #details = new WeakMap<QadminApi, Map<string, QueueDetail>>();
  #last: Loaded | undefined;
  #lastRun = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #zones: string[] | undefined;

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
    this.cronerError = '';
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
      detail && !detail.readOnly && !this.#readOnly && detail.capabilities.schedules.write,
    );
  }

  // ---- the form ----

  #timeZones(extra?: string | null): string[] {
    if (!this.#zones) {
      const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
      let all: string[] = [];
      try {
        all = Intl.supportedValuesOf('timeZone');
      } catch {
        // An older browser: the local zone and UTC are still offered.
      }
      this.#zones = [...new Set([local, 'UTC', ...all])];
    }
    return extra && !this.#zones.includes(extra) ? [extra, ...this.#zones] : this.#zones;
  }

  #openForm(writable: QueueResult[], from?: Row): void {
    const local = this.#timeZones()[0] ?? 'UTC';
    const schedule = from?.schedule;
    let every = '';
    let unit: number = UNITS[1][1];
    if (schedule?.everyMs) {
      const best = [...UNITS].reverse().find(([, ms]) => schedule.everyMs! % ms === 0) ?? UNITS[0];
      unit = best[1];
      every = String(schedule.everyMs / unit);
    }
    this.form = {
      queueId:
        from?.queueId ??
        (writable.some((q) => q.queueId === this.queueId)
          ? this.queueId
          : (writable[0]?.queueId ?? '')),
      id: schedule?.id ?? '',
      jobName: schedule?.jobName ?? '',
      kind: schedule && schedule.pattern === null && schedule.everyMs !== null ? 'every' : 'cron',
      pattern: schedule?.pattern ?? '',
      timezone: schedule?.timezone ?? local,
      every,
      unit,
      data:
        schedule && schedule.data !== undefined && schedule.data !== null
          ? JSON.stringify(schedule.data, null, 2)
          : '',
      options: schedule && Object.keys(schedule.options).length > 0 ? schedule.options : undefined,
      editing: from !== undefined,
    };
    this.fieldErrors = {};
    this.formError = '';
    if (!this.croner) {
      import('croner').then(
        (module) => {
          this.croner = module;
        },
        (error: unknown) => {
          this.cronerError = `The cron preview could not be loaded: ${errorMessage(error)}`;
        },
      );
    }
  }

  #closeForm(): void {
    this.form = undefined;
    this.fieldErrors = {};
    this.formError = '';
  }

  #set<K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]): void {
    if (!this.form) return;
    this.form = { ...this.form, [key]: value };
    const field: Field | undefined =
      key === 'every' || key === 'unit'
        ? 'everyMs'
        : (FIELDS as readonly string[]).includes(key)
          ? (key as Field)
          : undefined;
    if (field && this.fieldErrors[field]) {
      const { [field]: _removed, ...rest } = this.fieldErrors;
      this.fieldErrors = rest;
    }
  }

  /** The next runs of the form's cron expression, or why it cannot be parsed. */
  #preview(form: ScheduleForm): { runs: Date[] } | { error: string } | undefined {
    const pattern = form.pattern.trim();
    if (!pattern || !this.croner) return undefined;
    if (!pattern.startsWith('@') && pattern.split(/\s+/).length < 5) {
      return {
        error:
          'A cron expression has 5 or 6 fields: [second] minute hour day-of-month month day-of-week.',
      };
    }
    try {
      const cron = new this.croner.Cron(pattern, { timezone: form.timezone, paused: true });
      return { runs: cron.nextRuns(PREVIEW_RUNS) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  /** The input the form describes, or the field errors that keep it from being sent. */
  #input(
    form: ScheduleForm,
  ): { input: ScheduleInput } | { errors: Partial<Record<Field, string>> } {
    const errors: Partial<Record<Field, string>> = {};
    if (!form.queueId) errors.queueId = 'Choose a queue.';
    if (!form.id.trim()) errors.id = 'Give the schedule an id.';
    if (!form.jobName.trim()) errors.jobName = 'Give the name of the jobs it creates.';
    const input: ScheduleInput = { id: form.id.trim(), jobName: form.jobName.trim() };
    if (form.kind === 'cron') {
      if (!form.pattern.trim()) errors.pattern = 'Enter a cron expression.';
      input.pattern = form.pattern.trim();
      input.timezone = form.timezone;
    } else {
      const everyMs = Math.round(Number(form.every) * form.unit);
      if (!form.every.trim() || !Number.isFinite(everyMs) || everyMs < 1000) {
        errors.everyMs = 'Enter an interval of at least 1 second.';
      }
      input.everyMs = everyMs;
    }
    if (form.data.trim()) {
      try {
        input.data = JSON.parse(form.data);
      } catch (error) {
        errors.data = `Not valid JSON: ${errorMessage(error)}`;
      }
    }
    if (form.options) input.options = form.options;
    return Object.keys(errors).length > 0 ? { errors } : { input };
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = this.form;
    if (!form || this.saving) return;
    const result = this.#input(form);
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
  }

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

  #errorFor(field: Field): TemplateResult | typeof nothing {
    const message = this.fieldErrors[field];
    return message
      ? html`<span class="field-error" id="error-${field}">${message}</span>`
      : nothing;
  }

  #invalid(field: Field): { invalid: 'true' | 'false'; describedby: string } {
    return {
      invalid: this.fieldErrors[field] ? 'true' : 'false',
      describedby: this.fieldErrors[field] ? `error-${field}` : '',
    };
  }

  #renderPreview(form: ScheduleForm): TemplateResult {
    if (this.cronerError) return html`<p class="error">${this.cronerError}</p>`;
    if (!form.pattern.trim()) {
      return html`<p class="muted">Type an expression to see its next runs.</p>`;
    }
    if (!this.croner) return html`<p class="muted">Loading the preview…</p>`;
    const preview = this.#preview(form);
    if (!preview) return html``;
    if ('error' in preview) return html`<p class="error cron-error">${preview.error}</p>`;
    if (preview.runs.length === 0)
      return html`<p class="muted">This expression never runs again.</p>`;
    const format = dateFormat(form.timezone);
    const description = describeCron(form.pattern);
    return html`${description ? html`<p class="describe">${description}</p>` : nothing}
      <p class="muted next-label">Next runs (${form.timezone}):</p>
      <ol class="runs">
        ${preview.runs.map(
          (run) =>
            html`<li><time datetime=${run.toISOString()}>${format.format(run)}</time>
              <span class="muted">${relativeTime(run.getTime())}</span></li>`,
        )}
      </ol>`;
  }

  #form(
    form: ScheduleForm,
    writable: QueueResult[],
    overview: Overview | undefined,
  ): TemplateResult {
    const backends = new Map(overview?.backends.map((b) => [b.id, b.label]));
    const zones = this.#timeZones(form.timezone);
    const a = (field: Field) => this.#invalid(field);
    return html`<form class="create" part="form" novalidate @submit=${this.#submit} aria-labelledby="form-title">
      <h2 id="form-title">${form.editing ? 'Edit schedule' : 'New schedule'}</h2>
      <div class="fields">
        <label for="f-queue">Queue</label>
        <div>
          <select
            id="f-queue"
            .value=${form.queueId}
            aria-invalid=${a('queueId').invalid}
            aria-describedby=${a('queueId').describedby}
            @change=${(e: Event) => this.#set('queueId', (e.target as HTMLSelectElement).value)}
          >
            ${writable.map(
              (q) =>
                html`<option value=${q.queueId} ?selected=${q.queueId === form.queueId}>
                  ${q.detail?.name ?? queueName(q.queueId)}
                  (${backends.get(q.detail?.backend ?? '') ?? q.queueId.slice(0, q.queueId.indexOf(':'))})
                </option>`,
            )}
          </select>
          ${this.#errorFor('queueId')}
        </div>

        <label for="f-id">Id</label>
        <div>
          <input
            id="f-id"
            class="mono"
            autocomplete="off"
            spellcheck="false"
            placeholder="nightly-report"
            .value=${form.id}
            aria-invalid=${a('id').invalid}
            aria-describedby=${a('id').describedby}
            @input=${(e: Event) => this.#set('id', (e.target as HTMLInputElement).value)}
          />
          ${this.#errorFor('id')}
        </div>

        <label for="f-name">Job name</label>
        <div>
          <input
            id="f-name"
            autocomplete="off"
            spellcheck="false"
            placeholder="build-report"
            .value=${form.jobName}
            aria-invalid=${a('jobName').invalid}
            aria-describedby=${a('jobName').describedby}
            @input=${(e: Event) => this.#set('jobName', (e.target as HTMLInputElement).value)}
          />
          ${this.#errorFor('jobName')}
        </div>

        <span class="label" id="kind-label">Repeat</span>
        <div class="kind" role="radiogroup" aria-labelledby="kind-label">
          <label
            ><input
              type="radio"
              name="kind"
              value="cron"
              .checked=${form.kind === 'cron'}
              @change=${() => this.#set('kind', 'cron')}
            />
            Cron expression</label
          >
          <label
            ><input
              type="radio"
              name="kind"
              value="every"
              .checked=${form.kind === 'every'}
              @change=${() => this.#set('kind', 'every')}
            />
            Fixed interval</label
          >
        </div>

        ${
          form.kind === 'cron'
            ? html`<label for="f-pattern">Cron expression</label>
              <div>
                <input
                  id="f-pattern"
                  class="mono"
                  autocomplete="off"
                  spellcheck="false"
                  placeholder="0 3 * * *"
                  .value=${form.pattern}
                  aria-invalid=${a('pattern').invalid}
                  aria-describedby="${a('pattern').describedby} cron-preview"
                  @input=${(e: Event) => this.#set('pattern', (e.target as HTMLInputElement).value)}
                />
                ${this.#errorFor('pattern')}
                <span class="muted hint">minute hour day-of-month month day-of-week, e.g. <code>*/15 9-17 * * 1-5</code></span>
              </div>
              <label for="f-tz">Time zone</label>
              <div>
                <select
                  id="f-tz"
                  .value=${form.timezone}
                  aria-invalid=${a('timezone').invalid}
                  aria-describedby=${a('timezone').describedby}
                  @change=${(e: Event) => this.#set('timezone', (e.target as HTMLSelectElement).value)}
                >
                  ${zones.map((zone) => html`<option ?selected=${zone === form.timezone}>${zone}</option>`)}
                </select>
                ${this.#errorFor('timezone')}
              </div>
              <span class="label" aria-hidden="true"></span>
              <div class="preview" id="cron-preview" aria-live="polite">${this.#renderPreview(form)}</div>`
            : html`<label for="f-every">Every</label>
              <div>
                <div class="every">
                  <input
                    id="f-every"
                    type="number"
                    min="1"
                    step="any"
                    inputmode="decimal"
                    .value=${form.every}
                    aria-invalid=${a('everyMs').invalid}
                    aria-describedby=${a('everyMs').describedby}
                    @input=${(e: Event) => this.#set('every', (e.target as HTMLInputElement).value)}
                  />
                  <select
                    aria-label="Unit"
                    .value=${String(form.unit)}
                    @change=${(e: Event) => this.#set('unit', Number((e.target as HTMLSelectElement).value))}
                  >
                    ${UNITS.map(
                      ([label, ms]) =>
                        html`<option value=${String(ms)} ?selected=${ms === form.unit}>${label}</option>`,
                    )}
                  </select>
                  ${
                    Number(form.every) > 0
                      ? html`<span class="muted">= ${formatDuration(Number(form.every) * form.unit)}</span>`
                      : nothing
                  }
                </div>
                ${this.#errorFor('everyMs')}
              </div>`
        }

        <label for="f-data">Data <span class="muted">(JSON, optional)</span></label>
        <div>
          <textarea
            id="f-data"
            class="mono"
            rows="4"
            spellcheck="false"
            placeholder='{ "report": "daily" }'
            .value=${form.data}
            aria-invalid=${a('data').invalid}
            aria-describedby=${a('data').describedby}
            @input=${(e: Event) => this.#set('data', (e.target as HTMLTextAreaElement).value)}
          ></textarea>
          ${this.#errorFor('data')}
        </div>
      </div>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      <div class="form-actions">
        <button type="button" @click=${this.#closeForm}>Cancel</button>
        <button type="submit" class="primary" ?disabled=${this.saving}>
          ${this.saving ? 'Saving…' : form.editing ? 'Save schedule' : 'Create schedule'}
        </button>
      </div>
    </form>`;
  }

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
              ? html`<button type="button" class="primary" @click=${() => this.#openForm(writable)}>
                New schedule
              </button>`
              : nothing
          }
        </div>
      </header>
      <p class="notice" role="status">${this.notice}</p>
      ${this.form && writable.length > 0 ? this.#form(this.form, writable, overview) : nothing}
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${this.#body(loaded, writable)}</div>
      ${this.#dialog()}
    `;
  }
}

/** Dates in `timeZone` (in the local zone when the browser does not know it). */
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(undefined, {
      dateStyle: 'medium',
      timeStyle: 'medium',
      timeZone,
    });
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  }
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
