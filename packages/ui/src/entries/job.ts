// The job view's elements, loaded by the served app when the view first shows.
import { QadminConfirm } from '../components/confirm/confirm';
import { QadminJobDetail } from '../components/job-detail/job-detail';
import { QadminJsonView } from '../components/json-view/json-view';
import { defineElement } from '../shared/define-element';

defineElement('qadmin-job-detail', QadminJobDetail);
defineElement('qadmin-json-view', QadminJsonView);
defineElement('qadmin-confirm', QadminConfirm);
