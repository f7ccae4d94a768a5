/**
 * The create / edit form of `qadmin-schedules`, loaded (with croner) when the
 * form first opens, so neither weighs on the dashboard's first view.
 */
import type {
  DEFAULT_SCHEDULE_ID as CoreDefaultScheduleId,
  Schedule,
  ScheduleInput,
} from '@qadmin/core';
import { Cron } from 'croner';
import { html, nothing, type TemplateResult } from 'lit';
import { errorMessage, formatDuration, relativeTime } from '../../shared/format';
import { describeCron } from './cron-describe';

/** Core's DEFAULT_SCHEDULE_ID, typed against it: the UI imports only types from core. */
const DEFAULT_SCHEDULE_ID: typeof CoreDefaultScheduleId = 'default';

/** What the form edits. */
export interface ScheduleForm {
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
export type Field = 'queueId' | 'id' | 'jobName' | 'pattern' | 'timezone' | 'everyMs' | 'data';
export type FieldErrors = Partial<Record<Field, string>>;

/** A queue the form can write to, and what its schedules can be. */
export interface FormQueue {
  id: string;
  label: string;
  /** The queue's own name: the job name of its schedules where `jobNames` is false. */
  name: string;
  /** Schedules can repeat at a fixed interval besides a cron expression. */
  intervals: boolean;
  /** Several schedules under ids of the user's choice; else one, whose id is `default`. */
  multiple: boolean;
  /** Jobs carry a name of their own; else they are named after the queue. */
  jobNames: boolean;
}

/** What the form is rendered from, and where its input goes. */
export interface FormView {
  form: ScheduleForm;
  queues: FormQueue[];
  fieldErrors: FieldErrors;
  formError: string;
  saving: boolean;
  set<K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]): void;
  submit(event: Event): void;
  cancel(): void;
}

const PREVIEW_RUNS = 5;
const UNITS = [
  ['seconds', 1_000],
  ['minutes', 60_000],
  ['hours', 3_600_000],
  ['days', 86_400_000],
] as const;

let zones: string[] | undefined;

/** Every time zone the browser knows: the local one first, UTC second. */
function timeZones(extra?: string | null): string[] {
  if (!zones) {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    let all: string[] = [];
    try {
      all = Intl.supportedValuesOf('timeZone');
    } catch {
      // An older browser: the local zone and UTC are still offered.
    }
    zones = [...new Set([local, 'UTC', ...all])];
  }
  return extra && !zones.includes(extra) ? [extra, ...zones] : zones;
}

/** A form for a new schedule on `queueId`, or filled from an existing `schedule` to edit. */
export function createForm(queueId: string, schedule?: Schedule): ScheduleForm {
  let every = '';
  let unit: number = UNITS[1][1];
  const everyMs = schedule?.everyMs;
  if (everyMs) {
    unit = ([...UNITS].reverse().find(([, ms]) => everyMs % ms === 0) ?? UNITS[0])[1];
    every = String(everyMs / unit);
  }
  return {
    queueId,
    id: schedule?.id ?? '',
    jobName: schedule?.jobName ?? '',
    kind: schedule && schedule.pattern === null && schedule.everyMs !== null ? 'every' : 'cron',
    pattern: schedule?.pattern ?? '',
    timezone: schedule?.timezone ?? timeZones()[0] ?? 'UTC',
    every,
    unit,
    data:
      schedule && schedule.data !== undefined && schedule.data !== null
        ? JSON.stringify(schedule.data, null, 2)
        : '',
    options: schedule && Object.keys(schedule.options).length > 0 ? schedule.options : undefined,
    editing: schedule !== undefined,
  };
}

/** The field an edit of `key` clears the error of. */
export function fieldOfKey(key: keyof ScheduleForm): Field | undefined {
  if (key === 'every' || key === 'unit') return 'everyMs';
  return key === 'kind' || key === 'options' || key === 'editing' ? undefined : key;
}

/** How a cron-only queue's form repeats whatever kind it was left on (another queue's). */
function kindFor(form: ScheduleForm, queue: FormQueue | undefined): ScheduleForm['kind'] {
  return queue && !queue.intervals ? 'cron' : form.kind;
}

/**
 * The input the form describes for `queue` (the one chosen, whose schedules
 * may be cron only, one per queue, or named after it), or the field errors
 * that keep it from being sent.
 */
export function formInput(
  form: ScheduleForm,
  queue: FormQueue | undefined,
): { input: ScheduleInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!form.queueId) errors.queueId = 'Choose a queue.';
  const id = queue && !queue.multiple ? DEFAULT_SCHEDULE_ID : form.id.trim();
  const jobName = queue && !queue.jobNames ? queue.name : form.jobName.trim();
  if (!id) errors.id = 'Give the schedule an id.';
  if (!jobName) errors.jobName = 'Give the name of the jobs it creates.';
  const input: ScheduleInput = { id, jobName };
  if (kindFor(form, queue) === 'cron') {
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

/** The next runs of a cron expression in `timezone` (croner), or why it cannot be parsed. */
function preview(pattern: string, timezone: string): { runs: Date[] } | { error: string } {
  if (!pattern.startsWith('@') && pattern.split(/\s+/).length < 5) {
    return {
      error:
        'A cron expression has 5 or 6 fields: [second] minute hour day-of-month month day-of-week.',
    };
  }
  try {
    return { runs: new Cron(pattern, { timezone, paused: true }).nextRuns(PREVIEW_RUNS) };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/** Dates in `timeZone` (in the local zone when the browser does not know it). */
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

function renderPreview(form: ScheduleForm): TemplateResult {
  const pattern = form.pattern.trim();
  if (!pattern) return html`<p class="muted">Type an expression to see its next runs.</p>`;
  const result = preview(pattern, form.timezone);
  if ('error' in result) return html`<p class="error cron-error">${result.error}</p>`;
  if (result.runs.length === 0) {
    return html`<p class="muted">This expression never runs again.</p>`;
  }
  const format = dateFormat(form.timezone);
  const description = describeCron(pattern);
  return html`${description ? html`<p class="describe">${description}</p>` : nothing}
    <p class="muted next-label">Next runs (${form.timezone}):</p>
    <ol class="runs">
      ${result.runs.map(
        (run) =>
          html`<li>
            <time datetime=${run.toISOString()}>${format.format(run)}</time>
            <span class="muted">${relativeTime(run.getTime())}</span>
          </li>`,
      )}
    </ol>`;
}

/** The form. */
export function renderForm(view: FormView): TemplateResult {
  const { form, fieldErrors } = view;
  const queue = view.queues.find((q) => q.id === form.queueId);
  const kind = kindFor(form, queue);
  const errorFor = (field: Field) =>
    fieldErrors[field]
      ? html`<span class="field-error" id="error-${field}">${fieldErrors[field]}</span>`
      : nothing;
  const invalid = (field: Field) => (fieldErrors[field] ? 'true' : 'false');
  const describedBy = (field: Field) => (fieldErrors[field] ? `error-${field}` : '');
  const value = (event: Event) => (event.target as HTMLInputElement).value;
  return html`<form
    class="create"
    part="form"
    novalidate
    @submit=${view.submit}
    aria-labelledby="form-title"
  >
    <h2 id="form-title">${form.editing ? 'Edit schedule' : 'New schedule'}</h2>
    <div class="fields">
      <label for="f-queue">Queue</label>
      <div>
        <select
          id="f-queue"
          .value=${form.queueId}
          aria-invalid=${invalid('queueId')}
          aria-describedby=${describedBy('queueId')}
          @change=${(e: Event) => view.set('queueId', value(e))}
        >
          ${view.queues.map(
            (queue) =>
              html`<option value=${queue.id} ?selected=${queue.id === form.queueId}>
                ${queue.label}
              </option>`,
          )}
        </select>
        ${errorFor('queueId')}
      </div>

      ${
        queue && !queue.multiple
          ? html`<span class="label">Id</span>
              <div class="single-id">
                <code>${DEFAULT_SCHEDULE_ID}</code>
                <span class="muted hint">This queue keeps one schedule: saving replaces it.</span>
                ${errorFor('id')}
              </div>`
          : html`<label for="f-id">Id</label>
              <div>
                <input
                  id="f-id"
                  class="mono"
                  autocomplete="off"
                  spellcheck="false"
                  placeholder="nightly-report"
                  .value=${form.id}
                  aria-invalid=${invalid('id')}
                  aria-describedby=${describedBy('id')}
                  @input=${(e: Event) => view.set('id', value(e))}
                />
                ${errorFor('id')}
              </div>`
      }

      ${
        queue && !queue.jobNames
          ? nothing
          : html`<label for="f-name">Job name</label>
              <div>
                <input
                  id="f-name"
                  autocomplete="off"
                  spellcheck="false"
                  placeholder="build-report"
                  .value=${form.jobName}
                  aria-invalid=${invalid('jobName')}
                  aria-describedby=${describedBy('jobName')}
                  @input=${(e: Event) => view.set('jobName', value(e))}
                />
                ${errorFor('jobName')}
              </div>`
      }

      ${
        queue && !queue.intervals
          ? nothing
          : html`<span class="label" id="kind-label">Repeat</span>
              <div class="kind" role="radiogroup" aria-labelledby="kind-label">
                <label>
                  <input
                    type="radio"
                    name="kind"
                    value="cron"
                    .checked=${kind === 'cron'}
                    @change=${() => view.set('kind', 'cron')}
                  />
                  Cron expression
                </label>
                <label>
                  <input
                    type="radio"
                    name="kind"
                    value="every"
                    .checked=${kind === 'every'}
                    @change=${() => view.set('kind', 'every')}
                  />
                  Fixed interval
                </label>
              </div>`
      }

      ${
        kind === 'cron'
          ? html`<label for="f-pattern">Cron expression</label>
              <div>
                <input
                  id="f-pattern"
                  class="mono"
                  autocomplete="off"
                  spellcheck="false"
                  placeholder="0 3 * * *"
                  .value=${form.pattern}
                  aria-invalid=${invalid('pattern')}
                  aria-describedby="${describedBy('pattern')} cron-preview"
                  @input=${(e: Event) => view.set('pattern', value(e))}
                />
                ${errorFor('pattern')}
                <span class="muted hint">
                  minute hour day-of-month month day-of-week, e.g. <code>*/15 9-17 * * 1-5</code>
                </span>
              </div>
              <label for="f-tz">Time zone</label>
              <div>
                <select
                  id="f-tz"
                  .value=${form.timezone}
                  aria-invalid=${invalid('timezone')}
                  aria-describedby=${describedBy('timezone')}
                  @change=${(e: Event) => view.set('timezone', value(e))}
                >
                  ${timeZones(form.timezone).map(
                    (zone) => html`<option ?selected=${zone === form.timezone}>${zone}</option>`,
                  )}
                </select>
                ${errorFor('timezone')}
              </div>
              <span class="label" aria-hidden="true"></span>
              <div class="preview" id="cron-preview" aria-live="polite">${renderPreview(form)}</div>`
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
                    aria-invalid=${invalid('everyMs')}
                    aria-describedby=${describedBy('everyMs')}
                    @input=${(e: Event) => view.set('every', value(e))}
                  />
                  <select
                    aria-label="Unit"
                    .value=${String(form.unit)}
                    @change=${(e: Event) => view.set('unit', Number(value(e)))}
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
                ${errorFor('everyMs')}
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
          aria-invalid=${invalid('data')}
          aria-describedby=${describedBy('data')}
          @input=${(e: Event) => view.set('data', value(e))}
        ></textarea>
        ${errorFor('data')}
      </div>
    </div>
    ${view.formError ? html`<p class="error" role="alert">${view.formError}</p>` : nothing}
    <div class="form-actions">
      <button type="button" @click=${view.cancel}>Cancel</button>
      <button type="submit" class="primary" ?disabled=${view.saving}>
        ${view.saving ? 'Saving…' : form.editing ? 'Save schedule' : 'Create schedule'}
      </button>
    </div>
  </form>`;
}
