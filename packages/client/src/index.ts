/**
 * @qadmin/client: a typed fetch client for the qadmin JSON API, for browsers
 * and Node 20+, without runtime dependencies.
 */

export type {
  AddJobInput,
  ApiJob,
  ApiJobPage,
  ApiJobSummary,
  ApiMetrics,
  ApiWorker,
  AuditEntry,
  AuditPage,
  BulkAction,
  BulkResult,
  DashboardEvent,
  Health,
  JobAction,
  JobLogPage,
  JobState,
  MetricRange,
  OpenApiDocument,
  Overview,
  ProblemDocument,
  QueueDetail,
  QueueOverview,
  Schedule,
  ScheduleInput,
} from '@qadmin/core';
export {
  type AuditParams,
  type ClientOptions,
  createClient,
  type EventsOptions,
  type JobLogsParams,
  type ListJobsParams,
  type QadminClient,
  type RequestOptions,
  type SetupInput,
} from './client';
export { isQadminApiError, QadminApiError } from './errors';
export { createSseParser, type SseMessage } from './sse';
