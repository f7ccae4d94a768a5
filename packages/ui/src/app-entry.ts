// The served dashboard: <qadmin-app> at once, each view's elements when the
// view first shows (the first view loads only what it needs).
import { QadminApp } from './components/app/app';
import { QadminLogin } from './components/login/login';
import { defineElement } from './shared/define-element';

QadminApp.loadView = (view) => {
  switch (view) {
    case 'overview':
      return import('./entries/overview');
    case 'queue':
      return import('./entries/queue');
    case 'job':
      return import('./entries/job');
    case 'failed':
    case 'workers':
    case 'schedules':
    case 'metrics':
    case 'audit':
      return import('./entries/operations');
    default:
      return Promise.resolve();
  }
};
// Not loaded with a view: the sign-in page can come first.
defineElement('qadmin-login', QadminLogin);
defineElement('qadmin-app', QadminApp);
