import type { Overview } from '@qadmin/core';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatCount, formatNumber } from '../../shared/format';
import type { NavigateDetail } from '../../shared/routes';
import { stateColors, tokens } from '../../shared/styles';
import { QueueData } from '../queue-list/queue-data';
import {
  matchesQueue,
  type QadminQueueList,
  type QueueListSortDetail,
} from '../queue-list/queue-list';
import { overviewStyles } from './overview.styles';

interface Summary {
  queues: number;
  waiting: number;
  active: number;
  failed: number;
  backends: number;
  down: number;
}

function summarize(overview: Overview): Summary {
  const summary: Summary = {
    queues: overview.queues.length,
    waiting: 0,
    active: 0,
    failed: 0,
    backends: overview.backends.length,
    down: overview.backends.filter((backend) => !backend.ok).length,
  };
  for (const { counts } of overview.queues) {
    summary.waiting += (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    summary.active += counts.active ?? 0;
    summary.failed += counts.failed ?? 0;
  }
  return summary;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/**
 * The dashboard's home: a summary of every queue (how many, waiting, active,
 * failed, backends), a warning for each backend that cannot be read, and the
 * table of queues, grouped by backend when there are several, with a filter
 * box and sortable columns. Filter and sort live in the URL
 * (`?filter=&sort=`): the element asks for them with `qadmin-navigate`, and
 * keeps them itself when nobody handles that (embedded use).
 *
 * Its data is the shared live feed (updated on every `overview` event),
 * fetched once only while the feed has none, plus the throughput of every
 * queue for the sparklines (one request, renewed at most once a minute).
 *
 * @summary The overview of every queue of every backend.
 * @event qadmin-navigate - The filter or sort changed (detail: `{ path: '?filter=..&sort=..', replace: true }`); cancel it when you handle it.
 * @event qadmin-queue-select - From the table: a queue's row was activated (detail: `{ queueId }`).
 * @csspart toolbar - The title, summary and filter box.
 * @csspart warning - The warning about an unreachable backend.
 * @cssproperty --qadmin-sticky-top - Offset of the table's sticky column headers (default 0).
 */
export class QadminOverview extends QadminElement {
  static override styles = [tokens, stateColors, overviewStyles];
  static override properties: PropertyDeclarations = {
    filter: {},
    sort: {},
  };

  /** Text a queue's name (or backend) must contain to be listed. */
  declare filter: string;
  /** Sort of the table: `name` (default), `-backlog`, `-failure-rate`, `-failed`, `-throughput`... */
  declare sort: string;

  #data = new QueueData(this, () => this.client);
  #summary: { overview: Overview; summary: Summary } | undefined;

  constructor() {
    super();
    this.filter = '';
    this.sort = '';
  }

  /** Puts the cursor in the filter box (the `/` shortcut). */
  focusSearch(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[type=search]');
    input?.focus();
    input?.select();
  }

  /** Moves the highlighted row of the table (`j` / `k`). */
  moveFocus(delta: 1 | -1): void {
    this.#list?.moveFocus(delta);
  }

  get #list(): QadminQueueList | null {
    return this.renderRoot.querySelector('qadmin-queue-list');
  }

  #change(filter: string, sort: string): void {
    // Kept here either way: the URL (when the app handles the event) says the same.
    this.filter = filter;
    this.sort = sort;
    const params = new URLSearchParams();
    if (filter) params.set('filter', filter);
    if (sort) params.set('sort', sort);
    const query = params.toString();
    this.emit<NavigateDetail>(
      'qadmin-navigate',
      { path: query ? `?${query}` : './', replace: true },
      true,
    );
  }

  #onFilterInput(event: InputEvent): void {
    this.#change((event.target as HTMLInputElement).value, this.sort ?? '');
  }

  #onFilterKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.filter) {
      event.preventDefault();
      event.stopPropagation();
      this.#change('', this.sort ?? '');
    } else if (event.key === 'ArrowDown' || (event.key === 'Enter' && this.filter)) {
      event.preventDefault();
      this.moveFocus(1);
    }
  }

  #onSort(event: CustomEvent<QueueListSortDetail>): void {
    this.#change(this.filter ?? '', event.detail.sort);
  }

  #summarize(overview: Overview): Summary {
    if (this.#summary?.overview !== overview) {
      this.#summary = { overview, summary: summarize(overview) };
    }
    return this.#summary.summary;
  }

  #summaryLine(overview: Overview | undefined): TemplateResult | typeof nothing {
    if (!overview) return nothing;
    const s = this.#summarize(overview);
    const stat = (value: number, label: string, className = '') =>
      html`<span class=${className} title=${value >= 10_000 ? formatNumber(value) : nothing}
        ><strong>${formatCount(value)}</strong> ${label}</span
      >`;
    return html`<p class="summary">
      ${stat(s.queues, plural(s.queues, 'queue', 'queues'))} ${stat(s.waiting, 'waiting')}
      ${stat(s.active, 'active')} ${stat(s.failed, 'failed', s.failed > 0 ? 'state-failed' : '')}
      <span
        ><strong>${formatNumber(s.backends)}</strong> ${plural(s.backends, 'backend', 'backends')}${
          s.down > 0 ? html` <span class="down">(${s.down} unreachable)</span>` : nothing
        }</span
      >
    </p>`;
  }

  #warnings(overview: Overview | undefined): TemplateResult | typeof nothing {
    const down = overview?.backends.filter((backend) => !backend.ok) ?? [];
    if (down.length === 0) return nothing;
    return html`<div class="warnings">
      ${down.map(
        (backend) => html`<div class="warning" part="warning" role="status">
          <strong>${backend.label}</strong> <span class="muted">(${backend.kind})</span> cannot be
          read${backend.error ? html`: <code>${backend.error}</code>` : nothing}. Its queues are
          missing or out of date until it answers again.
        </div>`,
      )}
    </div>`;
  }

  #matches(overview: Overview | undefined): TemplateResult | typeof nothing {
    if (!overview || !this.filter?.trim()) return nothing;
    const labels = new Map(overview.backends.map((backend) => [backend.id, backend.label]));
    let shown = 0;
    for (const queue of overview.queues) {
      if (matchesQueue(queue, this.filter, labels.get(queue.backend))) shown++;
    }
    return html`<span class="matches" role="status">${formatNumber(shown)} of ${formatNumber(overview.queues.length)}</span>`;
  }

  #body(overview: Overview | undefined): TemplateResult {
    if (!overview) {
      const error = this.#data.overviewError;
      if (error) {
        return html`<p class="message error" role="alert">
          Could not load the queues: ${errorMessage(error)}
          <button type="button" @click=${() => this.#data.retry()}>Retry</button>
        </p>`;
      }
      return html`<p class="message" role="status">Loading queues…</p>`;
    }
    const throughput = this.#data.throughput;
    const throughputError = this.#data.throughputError;
    return html`
      ${
        throughputError && !throughput
          ? html`<p class="note">Sparklines unavailable: ${errorMessage(throughputError)}</p>`
          : nothing
      }
      <qadmin-queue-list
        .api=${this.api}
        .baseUrl=${this.baseUrl}
        .linkBase=${this.linkBase}
        .queues=${overview.queues}
        .backends=${overview.backends}
        .throughput=${throughput?.queues ?? EMPTY_THROUGHPUT}
        .filter=${this.filter ?? ''}
        .sort=${this.sort ?? ''}
        @qadmin-queue-list-sort=${this.#onSort}
      ></qadmin-queue-list>
    `;
  }

  protected override render(): TemplateResult {
    const overview = this.#data.overview;
    return html`
      <div class="toolbar" part="toolbar">
        <div class="title">
          <h1>Queues</h1>
          ${this.#summaryLine(overview)}
        </div>
        <div class="search" role="search">
          ${this.#matches(overview)}
          <input
            type="search"
            aria-label="Filter queues by name"
            placeholder="Filter queues…"
            aria-keyshortcuts="/"
            autocomplete="off"
            spellcheck="false"
            .value=${this.filter ?? ''}
            @input=${this.#onFilterInput}
            @keydown=${this.#onFilterKeyDown}
          />
        </div>
      </div>
      ${this.#warnings(overview)} ${this.#body(overview)}
    `;
  }
}

const EMPTY_THROUGHPUT = Object.freeze({});

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-overview': QadminOverview;
  }
}
