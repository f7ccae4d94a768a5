import type { JobState } from '@qadmin/core';
import { html, type TemplateResult } from 'lit';

/**
 * Every canonical state in the order the dashboard shows them. (Not imported
 * from core at runtime: core's schemas would pull zod into the browser bundle.)
 */
export const STATE_ORDER = [
  'waiting',
  'prioritized',
  'waiting-children',
  'delayed',
  'active',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'abandoned',
] as const satisfies readonly JobState[];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'narrow' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const plain = new Intl.NumberFormat();

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 min ago", "in 2 h", "now". */
export function relativeTime(epochMs: number, now = Date.now()): string {
  const diff = epochMs - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') {
      const value = Math.round(diff / ms);
      return value === 0 ? relative.format(0, 'second') : relative.format(value, unit);
    }
  }
  return '';
}

/** The full local date and time. */
export function absoluteTime(epochMs: number): string {
  return absolute.format(new Date(epochMs));
}

/** A relative time with the absolute one on hover, in a `<time>` element. */
export function timeAgo(epochMs: number | null | undefined, now = Date.now()): TemplateResult {
  if (epochMs === null || epochMs === undefined) return html`<span class="muted">—</span>`;
  return html`<time datetime=${new Date(epochMs).toISOString()} title=${absoluteTime(epochMs)}
    >${relativeTime(epochMs, now)}</time
  >`;
}

/** 1234 -> "1.2K" (exact on hover where it matters: use {@link formatNumber}). */
export function formatCount(value: number): string {
  return value < 10_000 ? plain.format(value) : compact.format(value);
}

/** 1234567 -> "1,234,567". */
export function formatNumber(value: number): string {
  return plain.format(value);
}

/** 1530 -> "1.5 s", 95 -> "95 ms", 7_200_000 -> "2 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(ms < 600_000 ? 1 : 0)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** The message of an API failure, for showing it (never swallowing it). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const problem = error as { title?: string; detail?: string; message?: string };
    if (problem.detail && problem.title) return `${problem.title}: ${problem.detail}`;
    if (problem.message) return problem.message;
  }
  return String(error);
}
