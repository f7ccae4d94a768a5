/**
 * The dashboard's views as URL paths below the mount point: every view and
 * filter has a deep link (`queues/memory%3Aemails?state=failed&q=timeout`).
 * No view may take a path core answers itself (`api/...`, `metrics`).
 */

/** A view of the dashboard, parsed from a URL. */
export type Route =
  | { view: 'overview' }
  | { view: 'queue'; queueId: string }
  | { view: 'job'; queueId: string; jobId: string }
  | { view: 'failed' }
  | { view: 'workers' }
  | { view: 'schedules' }
  | { view: 'metrics' }
  | { view: 'audit' }
  | { view: 'not-found'; path: string };

/** Detail of `qadmin-navigate`: go to `path` (relative to the dashboard, query included). */
export interface NavigateDetail {
  path: string;
  /** Replace the history entry (a filter typed into a search box) instead of adding one. */
  replace?: boolean;
}

const enc = encodeURIComponent;

/** The path (relative to the dashboard's base) of a route. */
export function routePath(route: Route): string {
  switch (route.view) {
    case 'overview':
      return './';
    case 'queue':
      return `queues/${enc(route.queueId)}`;
    case 'job':
      return `queues/${enc(route.queueId)}/jobs/${enc(route.jobId)}`;
    case 'metrics':
      // Not `metrics`: core serves Prometheus text there.
      return 'charts';
    case 'not-found':
      return route.path;
    default:
      return route.view;
  }
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The route of `url` when the dashboard is mounted at `base` (a URL ending in `/`). */
export function parseRoute(url: URL, base: URL): Route {
  if (`${url.pathname}/` === base.pathname) return { view: 'overview' };
  const path = url.pathname.startsWith(base.pathname)
    ? url.pathname.slice(base.pathname.length)
    : url.pathname.replace(/^\//, '');
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'index.html')) {
    return { view: 'overview' };
  }
  const [first, queueId, jobs, jobId, ...rest] = parts.map(decode);
  if (parts.some((_, i) => parts.map(decode)[i] === undefined)) return { view: 'not-found', path };
  if (first === 'queues' && queueId !== undefined) {
    if (jobs === undefined) return { view: 'queue', queueId };
    if (jobs === 'jobs' && jobId !== undefined && rest.length === 0) {
      return { view: 'job', queueId, jobId };
    }
  }
  if (
    parts.length === 1 &&
    (first === 'failed' || first === 'workers' || first === 'schedules' || first === 'audit')
  ) {
    return { view: first };
  }
  if (parts.length === 1 && first === 'charts') return { view: 'metrics' };
  return { view: 'not-found', path };
}
