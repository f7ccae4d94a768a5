import { initialState, Task, TaskStatus } from '@lit/task';
import type {
  ApiMetrics,
  MetricBucket,
  MetricRange,
  Overview,
  Percentiles,
  QueueDetail,
} from '@qadmin/core';
import {
  html,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import type uPlot from 'uplot';
import type { QadminApi } from '../../shared/context';
import { QadminElement } from '../../shared/element';
import { absoluteTime, errorMessage, formatDuration, formatNumber } from '../../shared/format';
import { LiveController } from '../../shared/live';
import type { NavigateDetail } from '../../shared/routes';
import { tokens, viewStyles } from '../../shared/styles';
import { metricsStyles } from './metrics.styles';
import type { Palette } from './metrics-charts';

type ChartsModule = typeof import('./metrics-charts');

const RANGES: [MetricRange, string][] = [
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];
const REFRESH_MS = 60_000;
const CHART_HEIGHT = 180;
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

type Loaded =
  | { kind: 'none' }
  | { kind: 'unsupported'; queueId: string; detail: QueueDetail }
  | { kind: 'metrics'; queueId: string; detail: QueueDetail; metrics: ApiMetrics };

/**
 * A queue's throughput and durations over a range (1 h, 24 h, 7 d, 30 d):
 * completed and failed totals with the failure rate, a chart of completed and
 * failed jobs per bucket, and charts of wait and processing time percentiles
 * (p50 / p95 / p99), with the same numbers as a table. Charts (uPlot) load on
 * first use, follow the theme and the element's width. Refreshes every minute
 * while the page is visible.
 *
 * @summary Throughput and latency charts of a queue.
 * @event qadmin-navigate - The queue or range changed (detail: `{ path: 'charts?queue=<id>&range=<r>', replace: true }`). When nobody handles it, the element applies the change itself.
 * @csspart header - The title bar.
 * @csspart toolbar - The queue select and range buttons.
 * @csspart totals - The totals of the range.
 * @csspart chart - Each chart's box.
 * @csspart table - The table of the numbers.
 * @cssproperty --qadmin-color-ok - Completed jobs.
 * @cssproperty --qadmin-color-danger - Failed jobs and p99.
 * @cssproperty --qadmin-color-accent - p50 durations, links and focus rings.
 */
export class QadminMetrics extends QadminElement {
  static override styles = [tokens, viewStyles, metricsStyles];
  static override properties: PropertyDeclarations = {
    queueId: { attribute: 'queue-id' },
    range: {},
    tableOpen: { state: true },
    chartError: { state: true },
  };

  /** The queue (`<backend>:<name>`); empty picks the first queue with metrics. */
  declare queueId: string;
  /** `1h` (default), `24h`, `7d` or `30d`. */
  declare range: string;
  declare tableOpen: boolean;
  declare chartError: string;

  #details = new WeakMap<QadminApi, Map<string, QueueDetail>>();
  #picked: string | undefined;
  #last: Loaded | undefined;
  #lastRun = 0;
  #interval: ReturnType<typeof setInterval> | undefined;
  #chartsModule: Promise<ChartsModule> | undefined;
  #charts = new Map<string, { plot: uPlot; shape: string; source: ApiMetrics }>();
  #resize: ResizeObserver | undefined;
  #media: MediaQueryList | undefined;
  #drawing = false;
  #themeFrame: number | undefined;
  readonly #syncKey = `qadmin-metrics-${Math.random().toString(36).slice(2)}`;
  #drawAgain = false;

  #live = new LiveController(
    this,
    () => this.client,
    () => {},
  );

  #task = new Task(this, {
    task: async (
      [client, queueId, range, ids],
      { signal },
    ): Promise<Loaded | typeof initialState> => {
      let id = queueId;
      if (!id) {
        if (ids === undefined) return initialState;
        const list = ids.split('\n').filter(Boolean);
        if (list.length === 0) return { kind: 'none' };
        id =
          this.#picked && list.includes(this.#picked)
            ? this.#picked
            : await this.#pick(client, list, signal);
        this.#picked = id;
      }
      this.#lastRun = Date.now();
      const detail = await this.#detail(client, id, signal);
      if (!detail.capabilities.metrics) return { kind: 'unsupported', queueId: id, detail };
      const metrics = await client.metrics(id, range, { signal });
      return { kind: 'metrics', queueId: id, detail, metrics };
    },
    args: () => {
      const overview = this.#live.feed?.overview;
      const ids =
        this.queueId || !overview ? undefined : overview.queues.map((q) => q.id).join('\n');
      return [this.client, this.queueId, this.#range, ids] as const;
    },
    onComplete: (loaded) => {
      this.#last = loaded;
    },
  });

  constructor() {
    super();
    this.queueId = '';
    this.range = '1h';
    this.tableOpen = false;
    this.chartError = '';
  }

  get #range(): MetricRange {
    return RANGES.find(([range]) => range === this.range)?.[0] ?? '1h';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#interval = setInterval(() => {
      if (document.visibilityState === 'visible') void this.#task.run();
    }, REFRESH_MS);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#media = matchMedia('(prefers-color-scheme: dark)');
    this.#media.addEventListener('change', this.#onTheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#interval);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#media?.removeEventListener('change', this.#onTheme);
    this.#resize?.disconnect();
    this.#resize = undefined;
    if (this.#themeFrame !== undefined) cancelAnimationFrame(this.#themeFrame);
    this.#themeFrame = undefined;
    for (const { plot } of this.#charts.values()) plot.destroy();
    this.#charts.clear();
  }

  #onVisibility = () => {
    if (document.visibilityState === 'visible' && Date.now() - this.#lastRun >= REFRESH_MS) {
      void this.#task.run();
    }
  };

  /**
   * The theme changed: the system's (media query), or a forced one or other
   * tokens (the probes' colours transition, which fires `transitionend`).
   */
  #onTheme = () => {
    if (this.#themeFrame !== undefined) return;
    this.#themeFrame = requestAnimationFrame(() => {
      this.#themeFrame = undefined;
      void this.#draw();
    });
  };

  async #detail(client: QadminApi, queueId: string, signal: AbortSignal): Promise<QueueDetail> {
    let cache = this.#details.get(client);
    if (!cache) {
      cache = new Map();
      this.#details.set(client, cache);
    }
    const cached = cache.get(queueId);
    if (cached) return cached;
    const detail = await client.queue(queueId, { signal });
    cache.set(queueId, detail);
    return detail;
  }

  /** The first queue (in overview order) with metrics: the throughput answer leaves the others out. */
  async #pick(client: QadminApi, ids: string[], signal: AbortSignal): Promise<string> {
    try {
      const throughput = await client.throughput({ signal });
      return ids.find((id) => id in throughput.queues) ?? ids[0]!;
    } catch {
      signal.throwIfAborted();
      return ids[0]!;
    }
  }

  #navigate(queueId: string, range: MetricRange): void {
    const detail: NavigateDetail = {
      path: `charts?queue=${encodeURIComponent(queueId)}&range=${range}`,
      replace: true,
    };
    if (this.emit('qadmin-navigate', detail, true)) {
      this.queueId = queueId;
      this.range = range;
    }
  }

  get #currentQueue(): string {
    const loaded = this.#task.value ?? this.#last;
    return (
      this.queueId || (loaded && loaded.kind !== 'none' ? loaded.queueId : '') || this.#picked || ''
    );
  }

  // ---- charts ----

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    void this.#draw();
  }

  /** The tokens' colours now: probes coloured by the stylesheet, read back as `rgb()`. */
  #palette(): Palette {
    const resolve = (token: keyof Palette) => {
      const probe = this.renderRoot.querySelector(`.probes .${token}`);
      return probe ? getComputedStyle(probe).color : '#888';
    };
    return {
      ok: resolve('ok'),
      danger: resolve('danger'),
      accent: resolve('accent'),
      warn: resolve('warn'),
      muted: resolve('muted'),
      border: resolve('border'),
    };
  }

  /** Creates, updates or removes the uPlot charts to match the data and the colours. */
  async #draw(): Promise<void> {
    if (this.#drawing) {
      this.#drawAgain = true;
      return;
    }
    const loaded = this.#task.value ?? this.#last;
    const source = loaded?.kind === 'metrics' ? loaded.metrics : undefined;
    if (!source && this.#charts.size === 0) return;
    this.#drawing = true;
    try {
      const charts = source ? await this.#loadCharts() : undefined;
      const specs = source && charts ? charts.chartSpecs(source) : [];
      const palette = this.#palette();
      const keep = new Set<string>();
      for (const spec of specs) {
        const host = this.renderRoot.querySelector<HTMLElement>(`[data-chart="${spec.key}"]`);
        if (!host || !charts || !source) continue;
        keep.add(spec.key);
        const shape = JSON.stringify([palette, spec.series.length, source?.bucketMs]);
        const existing = this.#charts.get(spec.key);
        if (existing && existing.shape === shape && existing.plot.root.parentElement === host) {
          if (existing.source !== source) existing.plot.setData(spec.data);
          existing.source = source;
          continue;
        }
        existing?.plot.destroy();
        const plot = charts.createChart(spec, {
          palette,
          width: chartWidth(host),
          height: CHART_HEIGHT,
          syncKey: this.#syncKey,
          host,
        });
        this.#charts.set(spec.key, { plot, shape, source });
        this.#observe(host);
      }
      for (const [key, { plot }] of this.#charts) {
        if (!keep.has(key)) {
          plot.destroy();
          this.#charts.delete(key);
        }
      }
      this.chartError = '';
    } catch (error) {
      this.chartError = `The charts could not be drawn: ${errorMessage(error)}`;
    } finally {
      this.#drawing = false;
    }
    if (this.#drawAgain) {
      this.#drawAgain = false;
      await this.#draw();
    }
  }

  /** The chart code and uPlot, loaded on first use; uPlot's rules join the shadow root's styles. */
  #loadCharts(): Promise<ChartsModule> {
    if (!this.#chartsModule) {
      this.#chartsModule = import('./metrics-charts').then((module) => {
        const sheet = module.uplotStyles.styleSheet;
        const root = this.renderRoot as ShadowRoot;
        if (sheet && !root.adoptedStyleSheets.includes(sheet)) {
          root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
        }
        return module;
      });
      // Try again on the next draw after a failed load (a deploy replaced the chunk).
      this.#chartsModule.catch(() => {
        this.#chartsModule = undefined;
      });
    }
    return this.#chartsModule;
  }

  #observe(host: HTMLElement): void {
    this.#resize ??= new ResizeObserver((entries) => {
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset.chart;
        const chart = key ? this.#charts.get(key) : undefined;
        const width = chartWidth(entry.target as HTMLElement);
        if (chart && Math.abs(chart.plot.width - width) >= 1) {
          chart.plot.setSize({ width, height: CHART_HEIGHT });
        }
      }
    });
    this.#resize.observe(host);
  }

  // ---- rendering ----

  #toolbar(overview: Overview | undefined, current: string): TemplateResult {
    const queues = overview?.queues ?? [];
    const labels = new Map(overview?.backends.map((backend) => [backend.id, backend.label]));
    const range = this.#range;
    return html`<div class="toolbar" part="toolbar">
      <label class="queue">
        <span>Queue</span>
        <select
          .value=${current}
          @change=${(event: Event) => this.#navigate((event.target as HTMLSelectElement).value, range)}
        >
          ${
            current && !queues.some((q) => q.id === current)
              ? html`<option value=${current} selected>${current}</option>`
              : nothing
          }
          ${queues.map(
            (queue) =>
              html`<option value=${queue.id} ?selected=${queue.id === current}>
                ${queue.name} (${labels.get(queue.backend) ?? queue.backend})
              </option>`,
          )}
        </select>
      </label>
      <fieldset class="ranges">
        <legend class="sr-only">Range</legend>
        ${RANGES.map(
          ([value, label]) =>
            html`<label class="range" title=${`Last ${label}`}>
              <input
                type="radio"
                name="range"
                value=${value}
                .checked=${value === range}
                @change=${() => this.#navigate(current, value)}
              /><span>${value}</span><span class="sr-only">: last ${label}</span>
            </label>`,
        )}
      </fieldset>
    </div>`;
  }

  #totals(metrics: ApiMetrics): TemplateResult {
    let completed = 0;
    let failed = 0;
    for (const bucket of metrics.buckets) {
      completed += bucket.completed;
      failed += bucket.failed;
    }
    const finished = completed + failed;
    const minutes = Math.max(1, (metrics.to - metrics.from) / 60_000);
    return html`<dl class="totals" part="totals">
      <div><dt>Completed</dt><dd class="ok">${formatNumber(completed)}</dd></div>
      <div><dt>Failed</dt><dd class="failed">${formatNumber(failed)}</dd></div>
      <div>
        <dt>Failure rate</dt>
        <dd class=${failed > 0 ? 'failed' : ''}>${finished === 0 ? '—' : percent.format(failed / finished)}</dd>
      </div>
      <div><dt>Per minute</dt><dd>${formatNumber(Math.round((finished / minutes) * 10) / 10)}</dd></div>
    </dl>`;
  }

  #chart(
    key: 'throughput' | 'wait' | 'process',
    title: string,
    description: string,
  ): TemplateResult {
    return html`<figure class="chart" part="chart">
      <figcaption id="caption-${key}">${title}</figcaption>
      <div class="plot" data-chart=${key} role="img" aria-label="${title}: ${description}"></div>
    </figure>`;
  }

  #table(metrics: ApiMetrics): TemplateResult {
    const wait = hasPercentiles(metrics.buckets, 'waitMs');
    const process = hasPercentiles(metrics.buckets, 'processMs');
    const p = (value: Percentiles | null, key: keyof Percentiles) =>
      html`<td class="num">${formatDuration(value?.[key])}</td>`;
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Metrics by bucket">
      <table part="table">
        <caption class="sr-only">Jobs finished per bucket of ${formatDuration(metrics.bucketMs)}</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col" class="num">Completed</th>
            <th scope="col" class="num">Failed</th>
            ${
              wait
                ? html`<th scope="col" class="num">Wait p50</th><th scope="col" class="num">Wait p95</th><th scope="col" class="num">Wait p99</th>`
                : nothing
            }
            ${
              process
                ? html`<th scope="col" class="num">Processing p50</th><th scope="col" class="num">Processing p95</th><th scope="col" class="num">Processing p99</th>`
                : nothing
            }
          </tr>
        </thead>
        <tbody>
          ${metrics.buckets.map(
            (bucket) => html`<tr>
              <th scope="row"><time datetime=${new Date(bucket.start).toISOString()}>${absoluteTime(bucket.start)}</time></th>
              <td class="num">${formatNumber(bucket.completed)}</td>
              <td class="num">${formatNumber(bucket.failed)}</td>
              ${wait ? html`${p(bucket.waitMs, 'p50')}${p(bucket.waitMs, 'p95')}${p(bucket.waitMs, 'p99')}` : nothing}
              ${
                process
                  ? html`${p(bucket.processMs, 'p50')}${p(bucket.processMs, 'p95')}${p(bucket.processMs, 'p99')}`
                  : nothing
              }
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  #metrics(metrics: ApiMetrics): TemplateResult {
    const wait = hasPercentiles(metrics.buckets, 'waitMs');
    const process = hasPercentiles(metrics.buckets, 'processMs');
    const bucket = formatDuration(metrics.bucketMs);
    return html`${this.#totals(metrics)}
      ${this.chartError ? html`<p class="error" role="alert">${this.chartError}</p>` : nothing}
      <div class="charts">
        ${this.#chart('throughput', 'Jobs finished', `completed and failed jobs per ${bucket}; the numbers are in the table below`)}
        ${
          wait
            ? this.#chart(
                'wait',
                'Wait time',
                `p50, p95 and p99 from creation to start per ${bucket}; the numbers are in the table below`,
              )
            : nothing
        }
        ${
          process
            ? this.#chart(
                'process',
                'Processing time',
                `p50, p95 and p99 from start to finish per ${bucket}; the numbers are in the table below`,
              )
            : nothing
        }
      </div>
      ${
        wait && process
          ? nothing
          : html`<p class="muted note">
            This backend does not record ${wait ? 'processing' : process ? 'wait' : 'wait and processing'} times.
          </p>`
      }
      <details
        class="numbers"
        @toggle=${(event: Event) => (this.tableOpen = (event.target as HTMLDetailsElement).open)}
      >
        <summary>Show the numbers as a table</summary>
        ${this.tableOpen ? this.#table(metrics) : nothing}
      </details>`;
  }

  protected override render(): TemplateResult {
    const overview = this.#live.feed?.overview;
    const loaded = this.#task.value ?? this.#last;
    const pending = this.#task.status === TaskStatus.PENDING;
    const error = this.#task.error;
    const current = this.#currentQueue;
    let body: TemplateResult | typeof nothing = nothing;
    if (!loaded) {
      body = error ? nothing : html`<p class="muted loading">Loading metrics…</p>`;
    } else if (loaded.kind === 'none') {
      body = html`<div class="empty" role="status"><p class="empty-title">No queues</p></div>`;
    } else if (loaded.kind === 'unsupported') {
      body = html`<div class="empty" role="status">
        <p class="empty-title">This backend does not record metrics</p>
        <p class="muted">${loaded.detail.name} runs on a backend that keeps no history of finished jobs.</p>
      </div>`;
    } else {
      body = this.#metrics(loaded.metrics);
    }
    return html`
      <header part="header">
        <h1>Metrics</h1>
        <span class="busy muted" ?hidden=${!pending}>Refreshing…</span>
        ${this.#toolbar(overview, current)}
      </header>
      ${error ? html`<p class="error" role="alert">Could not load the metrics: ${errorMessage(error)}</p>` : nothing}
      <div class="body" aria-busy=${pending ? 'true' : 'false'}>${body}</div>
      <div class="probes" aria-hidden="true" @transitionend=${this.#onTheme}>
        <span class="ok"></span><span class="danger"></span><span class="accent"></span><span
          class="warn"
        ></span><span class="muted"></span><span class="border"></span>
      </div>
    `;
  }
}

function hasPercentiles(buckets: MetricBucket[], field: 'waitMs' | 'processMs'): boolean {
  return buckets.some((bucket) => bucket[field] !== null);
}

function chartWidth(host: HTMLElement): number {
  return Math.max(200, Math.floor(host.clientWidth || host.getBoundingClientRect().width || 600));
}

declare global {
  interface HTMLElementTagNameMap {
    'qadmin-metrics': QadminMetrics;
  }
}
