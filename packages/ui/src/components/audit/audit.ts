import { Task, TaskStatus } from '@lit/task';
import type { AuditEntry, AuditPage } from '@qadmin/core';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { QadminElement } from '../../shared/element';
import { errorMessage, formatNumber, timeAgo } from '../../shared/format';
import { routePath } from '../../shared/routes';
import { tokens, viewStyles } from '../../shared/styles';
import { auditStyles } from './audit.styles';

/**
 * The audit trail: every change asked of the dashboard, newest first, with
 * who asked (and their role), the action, the queue, the job or filter, how
 * many jobs it touched and how it ended (refusals included, with the
 * reason). Pages back with "Older" and forth with "Newer". Needs the
 * `audit.read` permission (admins); `qadmin-app` shows it only to them.
 *
 * @summary The audit trail of every mutation.
 * @csspart header - The title bar.
 * @csspart table - The entries table.
 * @csspart row - One entry's row.
 * @csspart toolbar - The paging buttons.
 * @cssproperty --qadmin-color-danger - Refused and failed actions.
 * @cssproperty --qadmin-color-border - Table rules.
 */
export class QadminAudit extends QadminElement {
  static override styles = [tokens, viewStyles, auditStyles];
  static override properties: PropertyDeclarations = {
    pageSize: { type: Number, attribute: 'page-size' },
    pageBefore: { state: true },
  };

  /** Entries per page. Default 50. */
  declare pageSize: number;
  /** The `before` of the page shown; undefined for the newest. */
  declare pageBefore: number | undefined;
  /** The `before` of each newer page, to go back. */
  #newer: (number | undefined)[] = [];
  #last: AuditPage | undefined;

  #task = new Task(this, {
    task: async ([client, before, limit], { signal }) =>
      client.audit(before === undefined ? { limit } : { before, limit }, { signal }),
    args: () => [this.client, this.pageBefore, this.pageSize] as const,
    onComplete: (page) => {
      this.#last = page;
    },
  });

  constructor() {
    super();
    this.pageSize = 50;
    this.pageBefore = undefined;
  }

  #older(nextBefore: number): void {
    this.#newer.push(this.pageBefore);
    this.pageBefore = nextBefore;
  }

  #newerPage(): void {
    this.pageBefore = this.#newer.pop();
  }

  #target(entry: AuditEntry): TemplateResult {
    const queue = html`<a href=${this.href(routePath({ view: 'queue', queueId: entry.queueId }))}
      >${entry.queueId}</a
    >`;
    const job =
      entry.jobId === undefined
        ? nothing
        : html` · job
          <a
            class="mono"
            href=${this.href(routePath({ view: 'job', queueId: entry.queueId, jobId: entry.jobId }))}
            >${entry.jobId}</a
          >`;
    const filter = entry.filter
      ? html`<span class="detail mono muted"
          >${Object.entries(entry.filter)
            .map(([name, value]) => `${name}=${value}`)
            .join(' ')}</span
        >`
      : nothing;
    return html`${queue}${job}${filter}`;
  }

  #outcome(entry: AuditEntry): TemplateResult {
    if (entry.outcome === 'ok') return html`<span>ok</span>`;
    return html`<span class="outcome-error">${entry.status} ${entry.error?.title ?? 'error'}</span>
      ${entry.error?.detail ? html`<span class="detail muted">${entry.error.detail}</span>` : nothing}`;
  }

  #table(entries: AuditEntry[]): TemplateResult {
    return html`<table part="table">
      <caption class="sr-only">
        Audit trail, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Who</th>
          <th scope="col">Role</th>
          <th scope="col">Action</th>
          <th scope="col">Queue, job or filter</th>
          <th scope="col" class="num">Affected</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        ${repeat(
          entries,
          (entry) => entry.id,
          (entry) => html`<tr part="row" data-outcome=${entry.outcome}>
            <td>${timeAgo(entry.at)}</td>
            <td title=${`${entry.actor.id} by ${entry.actor.via}${entry.remoteAddress ? ` from ${entry.remoteAddress}` : ''}`}>
              ${entry.actor.name}
            </td>
            <td><span class="badge">${entry.actor.role}</span></td>
            <td class="mono">${entry.action}</td>
            <td class="target">${this.#target(entry)}</td>
            <td class="num">${entry.affected === null ? '—' : formatNumber(entry.affected)}</td>
            <td>${this.#outcome(entry)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render(): TemplateResult {
    const pending = this.#task.status === TaskStatus.PENDING;
    const error = this.#task.error;
    const page = this.#task.value ?? this.#last;
    let body: TemplateResult;
    if (page === undefined) {
      body = error
        ? html`<p class="error" role="alert">Could not load the audit trail: ${errorMessage(error)}</p>`
        : html`<p class="muted loading">Loading the audit trail…</p>`;
    } else {
      body = html`${
        error
          ? html`<p class="error" role="alert">Could not load the audit trail: ${errorMessage(error)}</p>`
          : nothing
      }
        ${
          page.unavailable.length > 0
            ? html`<p class="error" role="status">
              Entries of ${page.unavailable.join(', ')} are missing: the store did not answer.
            </p>`
            : nothing
        }
        ${
          page.entries.length === 0
            ? html`<div class="empty" role="status">
              <p>${this.pageBefore === undefined ? 'Nothing has been changed yet.' : 'No older entries.'}</p>
            </div>`
            : this.#table(page.entries)
        }
        <div class="pager" part="toolbar">
          <button type="button" ?disabled=${this.#newer.length === 0 || pending} @click=${this.#newerPage}>
            Newer
          </button>
          <button
            type="button"
            ?disabled=${page.nextBefore === null || pending}
            @click=${() => page.nextBefore !== null && this.#older(page.nextBefore)}
          >
            Older
          </button>
        </div>`;
    }
    return html`
      <header part="header">
        <h1>Audit trail</h1>
        <span class="busy muted" ?hidden=${!pending}>Loading…</span>
      </header>
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${body}</div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-audit': QadminAudit;
  }
}
