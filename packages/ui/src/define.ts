/**
 * `@qadmin/ui/define`: registers every qadmin element. Importing it twice, or
 * on a page that already has an element of the same tag (another copy of
 * qadmin), warns instead of throwing.
 *
 * @example
 * ```ts
 * import '@qadmin/ui/define';
 * document.body.innerHTML = '<qadmin-overview base-url="/admin/queues"></qadmin-overview>';
 * ```
 */
import { QadminApp } from './components/app/app';
import { QadminAudit } from './components/audit/audit';
import { QadminConfirm } from './components/confirm/confirm';
import { QadminFailed } from './components/failed/failed';
import { QadminJobDetail } from './components/job-detail/job-detail';
import { QadminJobList } from './components/job-list/job-list';
import { QadminJsonView } from './components/json-view/json-view';
import { QadminLogin } from './components/login/login';
import { QadminMetrics } from './components/metrics/metrics';
import { QadminOverview } from './components/overview/overview';
import { QadminQueue } from './components/queue/queue';
import { QadminQueueList } from './components/queue-list/queue-list';
import { QadminSchedules } from './components/schedules/schedules';
import { QadminSparkline } from './components/sparkline/sparkline';
import { QadminWorkers } from './components/workers/workers';
import { defineElement } from './shared/define-element';

export { defineElement };

/** Every element of the package by tag. */
export const ELEMENTS = {
  'qadmin-app': QadminApp,
  'qadmin-audit': QadminAudit,
  'qadmin-confirm': QadminConfirm,
  'qadmin-failed': QadminFailed,
  'qadmin-job-detail': QadminJobDetail,
  'qadmin-job-list': QadminJobList,
  'qadmin-json-view': QadminJsonView,
  'qadmin-login': QadminLogin,
  'qadmin-metrics': QadminMetrics,
  'qadmin-overview': QadminOverview,
  'qadmin-queue': QadminQueue,
  'qadmin-queue-list': QadminQueueList,
  'qadmin-schedules': QadminSchedules,
  'qadmin-sparkline': QadminSparkline,
  'qadmin-workers': QadminWorkers,
} as const;

for (const [tag, element] of Object.entries(ELEMENTS)) defineElement(tag, element);
