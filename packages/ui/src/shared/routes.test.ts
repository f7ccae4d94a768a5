import { describe, expect, it } from 'vitest';
import { parseRoute, routePath } from './routes';

const base = new URL('https://ops.example.com/admin/queues/');
const at = (path: string) => parseRoute(new URL(path, base), base);

describe('routes', () => {
  it('parses every view, ids percent-decoded', () => {
    expect(at('./')).toEqual({ view: 'overview' });
    expect(at('/admin/queues')).toEqual({ view: 'overview' });
    expect(at('queues/memory%3Aemails')).toEqual({ view: 'queue', queueId: 'memory:emails' });
    expect(at('queues/memory%3Aemails/jobs/a%2Fb%20c')).toEqual({
      view: 'job',
      queueId: 'memory:emails',
      jobId: 'a/b c',
    });
    expect(at('failed')).toEqual({ view: 'failed' });
    expect(at('workers')).toEqual({ view: 'workers' });
    expect(at('nope/deeper')).toEqual({ view: 'not-found', path: 'nope/deeper' });
    expect(at('queues/%E0%A4%A')).toMatchObject({ view: 'not-found' });
  });

  it('writes paths that parse back to the same route', () => {
    for (const route of [
      { view: 'queue', queueId: 'redis:a/b?c#d' },
      { view: 'job', queueId: 'memory:emails', jobId: 'invoice/2024 #7?ü' },
      { view: 'metrics' },
    ] as const) {
      expect(at(routePath(route))).toEqual(route);
    }
  });
});
