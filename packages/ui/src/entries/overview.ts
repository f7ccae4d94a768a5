// The overview's elements, loaded by the served app when the view first shows.
import { QadminOverview } from '../components/overview/overview';
import { QadminQueueList } from '../components/queue-list/queue-list';
import { QadminSparkline } from '../components/sparkline/sparkline';
import { defineElement } from '../shared/define-element';

defineElement('qadmin-overview', QadminOverview);
defineElement('qadmin-queue-list', QadminQueueList);
defineElement('qadmin-sparkline', QadminSparkline);
