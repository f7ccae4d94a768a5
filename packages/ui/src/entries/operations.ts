// The failed, workers, schedules, metrics and audit views, loaded by the served app when one first shows.
import { QadminAudit } from '../components/audit/audit';
import { QadminFailed } from '../components/failed/failed';
import { QadminMetrics } from '../components/metrics/metrics';
import { QadminSchedules } from '../components/schedules/schedules';
import { QadminWorkers } from '../components/workers/workers';
import { defineElement } from '../shared/define-element';

defineElement('qadmin-failed', QadminFailed);
defineElement('qadmin-workers', QadminWorkers);
defineElement('qadmin-schedules', QadminSchedules);
defineElement('qadmin-metrics', QadminMetrics);
defineElement('qadmin-audit', QadminAudit);
