/**
 * `@qadmin/ui`: the qadmin dashboard as Lit web components. This entry only
 * exports the classes and helpers; `@qadmin/ui/define` registers the elements.
 */
export { type KeyboardView, QadminApp } from './components/app/app';
export { QadminAudit } from './components/audit/audit';
export { QadminConfirm } from './components/confirm/confirm';
export { QadminFailed } from './components/failed/failed';
export { type JobActionDetail, QadminJobDetail } from './components/job-detail/job-detail';
export { QadminJobList } from './components/job-list/job-list';
export { QadminJsonView } from './components/json-view/json-view';
export { QadminLogin } from './components/login/login';
export { QadminMetrics } from './components/metrics/metrics';
export { QadminOverview } from './components/overview/overview';
export { QadminQueue } from './components/queue/queue';
export { QadminQueueList } from './components/queue-list/queue-list';
export { QadminSchedules } from './components/schedules/schedules';
export { QadminSparkline } from './components/sparkline/sparkline';
export { QadminWorkers } from './components/workers/workers';
export {
  AuthController,
  type AuthState,
  type AuthStatus,
  AuthStore,
  watchUnauthenticated,
} from './shared/auth';
export {
  apiContext,
  configContext,
  type QadminApi,
  type QadminConfig,
  readPageConfig,
} from './shared/context';
export { defineElement } from './shared/define-element';
export { QadminElement } from './shared/element';
export { LiveController, LiveFeed, type LiveMessage, type LiveStatus } from './shared/live';
export { type NavigateDetail, parseRoute, type Route, routePath } from './shared/routes';
