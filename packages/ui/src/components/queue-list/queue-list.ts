import {
  type VirtualizerHostElement,
  virtualize,
  virtualizerRef,
} from '@lit-labs/virtualizer/virtualize.js';
import type { BackendStatus, JobState, QueueOverview, Throughput } from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatCount, formatNumber } from '../../shared/format';
import { routePath } from '../../shared/routes';
import { styleProps } from '../../shared/style-props';
import { stateColors, tokens } from '../../shared/styles';
import { QueueData } from './queue-data';
import { queueListStyles } from './queue-list.styles';

/** Recent completed/failed counts of one queue (one entry of `Throughput['queues']`). */
export type QueueThroughput = Throughput['queues'][string];

/** What the queue table can be sorted by (`-` in front of it sorts descending). */
export type QueueSortKey =
  | 'name'
  | 'backlog'
  | 'active'
  | 'delayed'
  | 'completed'
  | 'failed'
  | 'workers'
  | 'failure-rate'
  | 'throughput';

/** Detail of `qadmin-queue-select`. */
export interface QueueSelectDetail {
  queueId: string;
}

/** Detail of `qadmin-queue-list-sort`: the new sort (`''` is the default, by name). */
export interface QueueListSortDetail {
  sort: string;
}

interface Column {
  key: QueueSortKey;
  label: string;
  /** The states the column adds up; absent for columns that are not counts. */
  states?: readonly JobState[];
  numeric: boolean;
  title?: string;
}

const STATE_COLUMNS: readonly Column[] = [
  {
    key: 'backlog',
    label: 'Waiting',
    states: ['waiting', 'prioritized'],
    numeric: true,
    title: 'Waiting jobs, prioritized ones included',
  },
  { key: 'active', label: 'Active', states: ['active'], numeric: true },
  { key: 'delayed', label: 'Delayed', states: ['delayed'], numeric: true },
  { key: 'completed', label: 'Completed', states: ['completed'], numeric: true },
  { key: 'failed', label: 'Failed', states: ['failed'], numeric: true },
];
const NAME_COLUMN: Column = { key: 'name', label: 'Queue', numeric: false };
const WORKERS_COLUMN: Column = { key: 'workers', label: 'Workers', numeric: true };
const RATE_COLUMN: Column = {
  key: 'failure-rate',
  label: 'Fail rate',
  numeric: true,
  title: 'Failed ÷ (completed + failed)',
};
const THROUGHPUT_COLUMN: Column = {
  key: 'throughput',
  label: 'Last hour',
  numeric: true,
  title: 'Completed (and failed) jobs per 5 minutes over the last hour',
};
const SORT_KEYS = new Set<string>([
  'name',
  'backlog',
  'active',
  'delayed',
  'completed',
  'failed',
  'workers',
  'failure-rate',
  'throughput',
]);

/** A parsed `sort` value. */
export interface QueueSort {
  key: QueueSortKey;
  descending: boolean;
}

/** Reads `name`, `-backlog`, `-failure-rate`...; anything else sorts by name. */
export function parseQueueSort(sort: string | null | undefined): QueueSort {
  const value = sort?.trim() ?? '';
  const descending = value.startsWith('-');
  const key = descending ? value.slice(1) : value;
  return SORT_KEYS.has(key)
    ? { key: key as QueueSortKey, descending }
    : { key: 'name', descending: false };
}

/** Whether `queue` matches the filter text (case-insensitive; name, id or backend). */
export function matchesQueue(queue: QueueOverview, filter: string, backendLabel = ''): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return (
    queue.name.toLowerCase().includes(needle) ||
    queue.id.toLowerCase().includes(needle) ||
    queue.backend.toLowerCase().includes(needle) ||
    backendLabel.toLowerCase().includes(needle)
  );
}

/** Waiting jobs, prioritized ones included (null when the queue reports neither). */
function backlogOf(queue: QueueOverview): number | null {
  const { waiting, prioritized } = queue.counts;
  if (waiting === undefined && prioritized === undefined) return null;
  return (waiting ?? 0) + (prioritized ?? 0);
}

function sumOf(values: readonly number[] | undefined): number {
  let total = 0;
  for (const value of values ?? []) total += value;
  return total;
}

interface QueueRow {
  kind: 'queue';
  key: string;
  queue: QueueOverview;
  backlog: number | null;
  /** failed / (completed + failed); null when neither is known or both are 0. */
  failureRate: number | null;
  series: QueueThroughput | undefined;
  completedLastHour: number | null;
  failedLastHour: number | null;
  /** Jobs are waiting and nobody consumes them (`workers === 0`; null is unknown). */
  noWorkers: boolean;
}

interface GroupRow {
  kind: 'group';
  key: string;
  id: string;
  label: string;
  kindLabel: string;
  ok: boolean;
  error: string | null;
  /** Queues of the backend shown (after filtering). */
  count: number;
}

type Row = QueueRow | GroupRow;

interface Model {
  columns: Column[];
  stateColumns: Column[];
  rows: Row[];
  /** Indexes in `rows` of the queue rows, in order (for j / k). */
  queueIndexes: number[];
  total: number;
  shown: number;
}

const NO_THROUGHPUT: Throughput['queues'] = Object.freeze({});
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  if (rate > 0 && rate < 0.001) return `<${percent.format(0.001)}`;
  return percent.format(rate);
}

function sortValue(row: QueueRow, key: QueueSortKey): number | null {
  switch (key) {
    case 'backlog':
      return row.backlog;
    case 'active':
    case 'delayed':
    case 'completed':
    case 'failed':
      return row.queue.counts[key] ?? null;
    case 'workers':
      return row.queue.workers;
    case 'failure-rate':
      return row.failureRate;
    case 'throughput':
      return row.completedLastHour;
    default:
      return null;
  }
}

function compareRows(a: QueueRow, b: QueueRow, { key, descending }: QueueSort): number {
  const byName = () =>
    collator.compare(a.queue.name, b.queue.name) || a.queue.id.localeCompare(b.queue.id);
  if (key === 'name') return descending ? -byName() : byName();
  const x = sortValue(a, key);
  const y = sortValue(b, key);
  // Unknown values go last whichever the direction; ties keep a stable order by name.
  if (x === null || y === null) {
    if (x === y) return byName();
    return x === null ? 1 : -1;
  }
  if (x !== y) return descending ? y - x : x - y;
  return byName();
}

function toRow(queue: QueueOverview, series: QueueThroughput | undefined): QueueRow {
  const { completed, failed } = queue.counts;
  const finished = (completed ?? 0) + (failed ?? 0);
  const backlog = backlogOf(queue);
  return {
    kind: 'queue',
    key: `q:${queue.id}`,
    queue,
    backlog,
    failureRate:
      (completed === undefined && failed === undefined) || finished === 0
        ? null
        : (failed ?? 0) / finished,
    series,
    completedLastHour: series ? sumOf(series.completed) : null,
    failedLastHour: series ? sumOf(series.failed) : null,
    noWorkers: queue.workers === 0 && (backlog ?? 0) > 0,
  };
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/**
 * The table of queues: name (a link to the queue), paused badge, counts by
 * state (only the states some queue reports), workers with a warning when
 * jobs wait but no worker consumes them, failure rate and a throughput
 * sparkline. Sorted by clicking a column header, filtered by name, grouped
 * by backend when there are several. Only the rows in view are in the DOM,
 * so thousands of queues stay smooth.
 *
 * Give it `queues` (and `throughput`, `backends`), or leave `queues` unset
 * and it shows the live overview of its API itself:
 * `<qadmin-queue-list base-url="/admin/queues"></qadmin-queue-list>`.
 *
 * @summary The table of queues, with counts, workers, failure rate and throughput.
 * @event qadmin-queue-select - A queue's row was activated (detail: `{ queueId }`). Cancel it to stay; by default the row's link is followed.
 * @event qadmin-queue-list-sort - The user sorted by a column (detail: `{ sort }`); `sort` is already updated.
 * @csspart table - The table.
 * @csspart header - The row of column headers.
 * @csspart row - A queue's row.
 * @csspart group - The heading row of a backend.
 * @cssproperty --qadmin-sticky-top - Offset of the sticky column headers (height of a sticky page header above; default 0).
 * @cssproperty --qadmin-sparkline-width - Width of the throughput sparklines (default 80px).
 */
export class QadminQueueList extends QadminElement {
  static override styles = [tokens, stateColors, queueListStyles];
  static override properties: PropertyDeclarations = {
    queues: { attribute: false },
    throughput: { attribute: false },
    backends: { attribute: false },
    filter: {},
    sort: {},
    focusedId: { state: true },
  };

  /** The queues to show; when unset, the element shows its API's live overview itself. */
  declare queues: QueueOverview[] | undefined;
  /** Recent throughput by queue id; when unset, the column is left out (unless self-loading). */
  declare throughput: Throughput['queues'] | undefined;
  /** The backends, for the group headings (several backends: one group each). */
  declare backends: BackendStatus[] | undefined;
  /** Text a queue's name, id or backend must contain (case-insensitive). */
  declare filter: string;
  /** `name` (default), `-backlog`, `-failure-rate`, `-failed`, `-throughput`... (`-` = descending). */
  declare sort: string;
  declare focusedId: string | undefined;

  #data: QueueData | undefined;
  #memo: { inputs: unknown[]; model: Model } | undefined;

  constructor() {
    super();
    this.filter = '';
    this.sort = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // Standalone: load the overview (and throughput) only when nobody hands queues in.
    if (this.queues === undefined && !this.#data) {
      this.#data = new QueueData(this, () => this.client);
    }
  }

  get #selfLoading(): boolean {
    return this.queues === undefined && this.#data !== undefined;
  }

  get #inputs(): {
    queues: QueueOverview[] | undefined;
    backends: BackendStatus[] | undefined;
    throughput: Throughput['queues'] | undefined;
  } {
    if (!this.#selfLoading) {
      return { queues: this.queues, backends: this.backends, throughput: this.throughput };
    }
    const overview = this.#data?.overview;
    return {
      queues: overview?.queues,
      backends: this.backends ?? overview?.backends,
      throughput: this.throughput ?? this.#data?.throughput?.queues ?? NO_THROUGHPUT,
    };
  }

  /** The rows to show; recomputed only when an input changed (not on every render). */
  #model(): Model {
    const { queues, backends, throughput } = this.#inputs;
    const inputs = [queues, backends, throughput, this.filter, this.sort];
    if (this.#memo && inputs.every((input, i) => input === this.#memo!.inputs[i])) {
      return this.#memo.model;
    }
    const model = buildModel(queues ?? [], backends, throughput, this.filter, this.sort);
    this.#memo = { inputs, model };
    return model;
  }

  /**
   * Moves the row highlight (and the keyboard focus) to the next (`1`) or
   * previous (`-1`) queue; Enter then opens it.
   */
  moveFocus(delta: 1 | -1): void {
    const { rows, queueIndexes } = this.#model();
    if (queueIndexes.length === 0) return;
    const current = queueIndexes.findIndex(
      (index) => (rows[index] as QueueRow).queue.id === this.focusedId,
    );
    const next =
      current === -1 ? 0 : Math.min(queueIndexes.length - 1, Math.max(0, current + delta));
    const index = queueIndexes[next]!;
    const id = (rows[index] as QueueRow).queue.id;
    this.focusedId = id;
    void this.#focusRow(index, id);
  }

  async #focusRow(index: number, id: string): Promise<void> {
    await this.updateComplete;
    const find = () =>
      this.renderRoot.querySelector<HTMLAnchorElement>(`[data-queue-id="${CSS.escape(id)}"] a`);
    let link = find();
    if (!link) {
      // Far rows are not in the DOM: have the virtualizer bring the row into view first.
      const body = this.renderRoot.querySelector<VirtualizerHostElement>('.body');
      body?.[virtualizerRef]?.element(index)?.scrollIntoView({ block: 'center' });
      for (let frame = 0; frame < 30 && !link; frame++) {
        await nextFrame();
        link = find();
      }
    }
    if (link && this.focusedId === id) link.focus();
  }

  #onSort(key: QueueSortKey): void {
    const current = parseQueueSort(this.sort);
    const descending = current.key === key ? !current.descending : key !== 'name';
    const sort = key === 'name' && !descending ? '' : `${descending ? '-' : ''}${key}`;
    this.sort = sort;
    this.emit<QueueListSortDetail>('qadmin-queue-list-sort', { sort });
  }

  #onLinkClick(event: MouseEvent, queueId: string): void {
    // Modified clicks (new tab, new window) are the browser's business.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    this.focusedId = queueId;
    if (!this.emit<QueueSelectDetail>('qadmin-queue-select', { queueId }, true)) {
      event.preventDefault();
    }
  }

  /** A click anywhere on a row opens it (unless the user is selecting text). */
  #onRowClick(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0) return;
    const target = event.target as Element;
    if (target.closest('a')) return;
    if (String(getSelection() ?? '') !== '') return;
    (event.currentTarget as Element).querySelector<HTMLAnchorElement>('a')?.click();
  }

  #onFocusIn(event: FocusEvent): void {
    const row = (event.target as Element).closest<HTMLElement>('[data-queue-id]');
    if (row?.dataset.queueId) this.focusedId = row.dataset.queueId;
  }

  #header(column: Column, sort: QueueSort): TemplateResult {
    const active = sort.key === column.key;
    const ariaSort = active ? (sort.descending ? 'descending' : 'ascending') : undefined;
    return html`<div
      role="columnheader"
      class=${column.numeric ? 'num' : ''}
      aria-sort=${ariaSort ?? nothing}
      title=${column.title ?? nothing}
    >
      <button type="button" class="sort" @click=${() => this.#onSort(column.key)}>
        ${column.numeric ? html`<span class="arrow" aria-hidden="true">${active ? (sort.descending ? '↓' : '↑') : ''}</span>` : nothing}${column.label}${column.numeric ? nothing : html`<span class="arrow" aria-hidden="true">${active ? (sort.descending ? '↓' : '↑') : ''}</span>`}
      </button>
    </div>`;
  }

  #count(queue: QueueOverview, column: Column, row: QueueRow): TemplateResult {
    const value =
      column.key === 'backlog' ? row.backlog : (queue.counts[column.states![0]!] ?? null);
    if (value === null) return html`<div role="cell" class="num none">—</div>`;
    const classes = [
      'num',
      value === 0 ? 'zero' : `state-${column.states![0]}`,
      column.key === 'backlog' && row.noWorkers ? 'warn' : '',
    ].join(' ');
    return html`<div role="cell" class=${classes} title=${value >= 10_000 ? formatNumber(value) : nothing}>
      ${formatCount(value)}
    </div>`;
  }

  #workers(row: QueueRow): TemplateResult {
    const { workers } = row.queue;
    if (row.noWorkers) {
      return html`<div
        role="cell"
        class="num"
        title="${formatNumber(row.backlog ?? 0)} jobs wait, but no worker consumes this queue"
      >
        <span class="no-workers"><span aria-hidden="true">⚠ </span>no workers</span>
      </div>`;
    }
    if (workers === null) return html`<div role="cell" class="num none" title="Unknown">—</div>`;
    return html`<div role="cell" class="num ${workers === 0 ? 'zero' : ''}">${formatNumber(workers)}</div>`;
  }

  #rate(row: QueueRow): TemplateResult {
    const rate = row.failureRate;
    const level =
      rate === null || rate === 0 ? 'zero' : rate >= 0.1 ? 'bad' : rate >= 0.01 ? 'warn' : '';
    return html`<div role="cell" class="num ${level}">${formatRate(rate)}</div>`;
  }

  #sparkline(row: QueueRow): TemplateResult {
    const series = row.series;
    const label = series
      ? `${formatNumber(row.completedLastHour ?? 0)} completed, ${formatNumber(row.failedLastHour ?? 0)} failed in the last hour`
      : 'No throughput data';
    return html`<div role="cell" class="spark">
      <qadmin-sparkline .values=${series?.completed ?? []} .failed=${series?.failed} label=${label}></qadmin-sparkline>
    </div>`;
  }

  #row(row: Row, index: number, model: Model, showThroughput: boolean): TemplateResult {
    if (row.kind === 'group') {
      return html`<div role="row" class="row group" part="group" aria-rowindex=${index + 2}>
        <div role="cell" aria-colspan=${model.columns.length}>
          <h2>${row.label}</h2>
          <span class="muted">${row.kindLabel} · ${formatNumber(row.count)} ${row.count === 1 ? 'queue' : 'queues'}</span>
          ${row.ok ? nothing : html`<span class="down" title=${row.error ?? nothing}>⚠ unreachable${row.error ? html`: ${row.error}` : nothing}</span>`}
        </div>
      </div>`;
    }
    const { queue } = row;
    return html`<div
      role="row"
      class="row queue ${this.focusedId === queue.id ? 'focused' : ''}"
      part="row"
      aria-rowindex=${index + 2}
      data-queue-id=${queue.id}
      @click=${this.#onRowClick}
    >
      <div role="cell" class="name">
        <a
          href=${this.href(routePath({ view: 'queue', queueId: queue.id }))}
          title=${queue.id}
          @click=${(event: MouseEvent) => this.#onLinkClick(event, queue.id)}
          >${queue.name}</a
        >${queue.paused ? html`<span class="badge paused">paused</span>` : nothing}
      </div>
      ${model.stateColumns.map((column) => this.#count(queue, column, row))}
      ${this.#workers(row)} ${this.#rate(row)} ${showThroughput ? this.#sparkline(row) : nothing}
    </div>`;
  }

  #message(model: Model): TemplateResult | typeof nothing {
    if (this.#selfLoading && !this.#inputs.queues) {
      const error = this.#data?.overviewError;
      if (error) {
        return html`<p class="message error" role="alert">
          Could not load the queues: ${errorMessage(error)}
          <button type="button" @click=${() => this.#data?.retry()}>Retry</button>
        </p>`;
      }
      return html`<p class="message" role="status">Loading queues…</p>`;
    }
    if (model.total === 0) {
      return html`<p class="message">No queues yet. They appear here as soon as a backend reports one.</p>`;
    }
    if (model.shown === 0) {
      return html`<p class="message">No queue matches “${this.filter.trim()}”.</p>`;
    }
    return nothing;
  }

  protected override render(): TemplateResult {
    const model = this.#model();
    const sort = parseQueueSort(this.sort);
    const showThroughput = model.columns.includes(THROUGHPUT_COLUMN);
    const columns = [
      'minmax(9rem, 3fr)',
      ...model.stateColumns.map(() => 'minmax(3.5rem, 1fr)'),
      'minmax(7rem, 1fr)',
      'minmax(4rem, 1fr)',
      ...(showThroughput ? ['calc(var(--qadmin-sparkline-width, 80px) + 4px)'] : []),
    ].join(' ');
    return html`
      <div
        role="table"
        part="table"
        aria-label="Queues"
        aria-rowcount=${model.rows.length + 1}
        aria-colcount=${model.columns.length}
        style=${styleProps({ '--_columns': columns })}
      >
        <div role="rowgroup" class="head">
          <div role="row" class="row" part="header" aria-rowindex="1">
            ${model.columns.map((column) => this.#header(column, sort))}
          </div>
        </div>
        <div role="rowgroup" class="body" @focusin=${this.#onFocusIn}>
          ${virtualize({
            items: model.rows,
            keyFunction: (row: Row) => row.key,
            renderItem: (row: Row, index: number) => this.#row(row, index, model, showThroughput),
          })}
        </div>
      </div>
      ${this.#message(model)}
    `;
  }
}

function buildModel(
  queues: QueueOverview[],
  backends: BackendStatus[] | undefined,
  throughput: Throughput['queues'] | undefined,
  filter: string,
  sortValue: string,
): Model {
  const sort = parseQueueSort(sortValue);
  const stateColumns = STATE_COLUMNS.filter((column) =>
    queues.length === 0
      ? true
      : queues.some((queue) => column.states!.some((state) => queue.counts[state] !== undefined)),
  );
  const columns = [
    NAME_COLUMN,
    ...stateColumns,
    WORKERS_COLUMN,
    RATE_COLUMN,
    ...(throughput ? [THROUGHPUT_COLUMN] : []),
  ];

  const labels = new Map(backends?.map((backend) => [backend.id, backend]));
  const byBackend = new Map<string, QueueRow[]>();
  for (const backend of backends ?? []) byBackend.set(backend.id, []);
  let shown = 0;
  for (const queue of queues) {
    if (!matchesQueue(queue, filter, labels.get(queue.backend)?.label)) continue;
    shown++;
    let group = byBackend.get(queue.backend);
    if (!group) {
      group = [];
      byBackend.set(queue.backend, group);
    }
    group.push(toRow(queue, throughput?.[queue.id]));
  }

  const grouped = byBackend.size > 1;
  const rows: Row[] = [];
  const queueIndexes: number[] = [];
  const filtering = filter.trim() !== '';
  for (const [id, group] of byBackend) {
    group.sort((a, b) => compareRows(a, b, sort));
    if (grouped) {
      // While filtering, a backend without a match is noise; otherwise an empty
      // (or unreachable) backend is worth its heading.
      if (filtering && group.length === 0) continue;
      const backend = labels.get(id);
      rows.push({
        kind: 'group',
        key: `g:${id}`,
        id,
        label: backend?.label ?? id,
        kindLabel: backend?.kind ?? id,
        ok: backend?.ok ?? true,
        error: backend?.error ?? null,
        count: group.length,
      });
    }
    for (const row of group) {
      queueIndexes.push(rows.length);
      rows.push(row);
    }
  }
  return { columns, stateColumns, rows, queueIndexes, total: queues.length, shown };
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-queue-list': QadminQueueList;
  }
  interface GlobalEventHandlersEventMap {
    'qadmin-queue-select': CustomEvent<QueueSelectDetail>;
    'qadmin-queue-list-sort': CustomEvent<QueueListSortDetail>;
  }
}
