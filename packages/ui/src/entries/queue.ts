// The queue view's elements, loaded by the served app when the view first shows.
import { QadminConfirm } from '../components/confirm/confirm';
import { QadminJobList } from '../components/job-list/job-list';
import { QadminQueue } from '../components/queue/queue';
import { defineElement } from '../shared/define-element';

defineElement('qadmin-queue', QadminQueue);
defineElement('qadmin-job-list', QadminJobList);
defineElement('qadmin-confirm', QadminConfirm);
