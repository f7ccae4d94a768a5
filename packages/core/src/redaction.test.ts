import { describe, expect, it } from 'vitest';
import { makeJob } from './http/test-support';
import type { Job, Schedule } from './model';
import { compileRedaction, matchesSearch } from './redaction';

const context = { queueId: 'mem:emails', backend: 'mem', queue: 'emails' };

function redact(paths: string[], overrides: Partial<Job>, replacement?: string): Job {
  const redaction = compileRedaction(
    replacement === undefined ? { paths } : { paths, replacement },
  );
  return redaction.job(makeJob('1', 'failed', overrides), context);
}

/** Deep copy that keeps own `__proto__` keys, as JSON.parse makes them. */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('compileRedaction: paths', () => {
  it('replaces a simple path and leaves the rest', () => {
    const job = redact(['data.password'], { data: { user: 'ann', password: 'hunter2' } });
    expect(job.data).toEqual({ user: 'ann', password: '[redacted]' });
  });

  it('replaces whole values, objects and numbers included, with the chosen replacement', () => {
    const job = redact(
      ['data.secret', 'data.pin'],
      { data: { secret: { a: 1 }, pin: 1234 } },
      '***',
    );
    expect(job.data).toEqual({ secret: '***', pin: '***' });
  });

  it('matches keys case-sensitively', () => {
    const job = redact(['data.password'], { data: { Password: 'a', password: 'b' } });
    expect(job.data).toEqual({ Password: 'a', password: '[redacted]' });
  });

  it('"*" is any key or array index at one level', () => {
    const job = redact(['data.*.token'], {
      data: { github: { token: 'g', user: 'x' }, slack: { token: 's' }, list: [{ token: 'no' }] },
    });
    expect(job.data).toEqual({
      github: { token: '[redacted]', user: 'x' },
      slack: { token: '[redacted]' },
      // `list` is at the `*` level; its elements are one level further down.
      list: [{ token: 'no' }],
    });
    const indexed = redact(['data.*.token'], { data: [{ token: 'a' }, { token: 'b' }] });
    expect(indexed.data).toEqual([{ token: '[redacted]' }, { token: '[redacted]' }]);
  });

  it('"key[]" is every element of an array, and a number is an index', () => {
    const data = { users: [{ secret: 'a', id: 1 }, { secret: 'b', id: 2 }, 'plain'] };
    expect(redact(['data.users[].secret'], { data }).data).toEqual({
      users: [{ secret: '[redacted]', id: 1 }, { secret: '[redacted]', id: 2 }, 'plain'],
    });
    expect(redact(['data.users.1.secret'], { data }).data).toEqual({
      users: [{ secret: 'a', id: 1 }, { secret: '[redacted]', id: 2 }, 'plain'],
    });
    // An array's own properties such as `length` are not keys.
    expect(redact(['data.users.length'], { data }).data).toEqual(data);
  });

  it('"**" is any depth, none included, through objects and arrays', () => {
    const job = redact(['data.**.password'], {
      data: {
        password: 'top',
        a: { password: 'one', b: { c: [{ password: 'deep' }, { other: 1 }] } },
        keep: 'password',
      },
    });
    expect(job.data).toEqual({
      password: '[redacted]',
      a: { password: '[redacted]', b: { c: [{ password: '[redacted]' }, { other: 1 }] } },
      keep: 'password',
    });
    expect(
      redact(['data.**.x.y'], { data: { x: { y: 1 }, q: { x: { y: 2, z: 3 } } } }).data,
    ).toEqual({ x: { y: '[redacted]' }, q: { x: { y: '[redacted]', z: 3 } } });
  });

  it('covers the other roots: returnValue, options, progress, failedReason, stacktrace', () => {
    const job = redact(
      [
        'returnValue.apiKey',
        'options.headers.authorization',
        'progress.*',
        'failedReason',
        'stacktrace',
      ],
      {
        returnValue: { apiKey: 'k', ok: true },
        options: { headers: { authorization: 'Bearer x', accept: 'json' }, attempts: 3 },
        progress: { step: 'token=abc' },
        failedReason: 'bad token abc',
        stacktrace: ['Error: abc', 'at x'],
      },
    );
    expect(job.returnValue).toEqual({ apiKey: '[redacted]', ok: true });
    expect(job.options).toEqual({
      headers: { authorization: '[redacted]', accept: 'json' },
      attempts: 3,
    });
    expect(job.progress).toEqual({ step: '[redacted]' });
    expect(job.failedReason).toBe('[redacted]');
    expect(job.stacktrace).toEqual(['[redacted]', '[redacted]']);
  });

  it('leaves missing paths, null values and non-object data alone, adding nothing', () => {
    const paths = ['data.password', 'data.a.b.c', 'data.*.token', 'data.**.x', 'failedReason'];
    for (const data of ['a string', 42, null, true, [], {}, { a: null }, { a: { b: 'str' } }]) {
      const job = redact(paths, { data, failedReason: null });
      expect(job.data).toEqual(data);
      expect(job.failedReason).toBeNull();
    }
    expect(redact(['data.password'], { data: { password: null } }).data).toEqual({
      password: null,
    });
    expect(redact(['data'], { data: 'whole' }).data).toBe('[redacted]');
  });

  it('never changes the given job, and shares what it did not redact', () => {
    const original = makeJob('1', 'failed', {
      data: { password: 'p', big: { untouched: [1, 2, 3] }, inner: { token: 't', keep: 1 } },
    });
    const snapshot = clone(original);
    const redacted = compileRedaction({ paths: ['data.password', 'data.inner.token'] }).job(
      original,
      context,
    );
    expect(original).toEqual(snapshot);
    expect(redacted).not.toBe(original);
    const data = redacted.data as Record<string, unknown>;
    const before = original.data as Record<string, unknown>;
    expect(data.big).toBe(before.big);
    expect(data.inner).not.toBe(before.inner);
    expect(redacted.options).toBe(original.options);
    // Nothing matched: the very same object.
    const untouched = makeJob('2', 'waiting', { data: { x: 1 } });
    expect(compileRedaction({ paths: ['data.password'] }).job(untouched, context)).toBe(untouched);
  });

  it('treats __proto__, constructor and prototype keys as ordinary keys, polluting nothing', () => {
    const data = JSON.parse(
      '{"__proto__":{"password":"p1","polluted":true},"constructor":{"prototype":{"password":"p2"}},"password":"p3"}',
    );
    const job = redact(['data.**.password', 'data.__proto__.polluted'], { data });
    expect(JSON.stringify(job.data)).toBe(
      '{"__proto__":{"password":"[redacted]","polluted":"[redacted]"},"constructor":{"prototype":{"password":"[redacted]"}},"password":"[redacted]"}',
    );
    expect(Object.getPrototypeOf(job.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).password).toBeUndefined();
    // A path naming a key the data does not hold never reads the prototype chain.
    const plain = redact(['data.constructor.name', 'data.__proto__.x', 'data.toString'], {
      data: { a: 1 },
    });
    expect(plain.data).toEqual({ a: 1 });
    expect(Object.prototype.toString).toBeTypeOf('function');
  });

  it('stops at a cycle instead of looping', () => {
    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    const job = redact(['data.**.password'], { data: cyclic });
    expect((job.data as Record<string, unknown>).password).toBe('[redacted]');
  });

  it('refuses bad paths with a TypeError naming them', () => {
    const bad = [
      '',
      'date.password',
      'password',
      'data..password',
      'data.password.',
      '*.password',
      '**.password',
      'data.**',
      'data.pass*',
      'data.users[0].secret',
      'data.[].secret',
      'options',
      'progress',
      'failedReason.message',
      'logs.0',
      'id',
    ];
    for (const path of bad) {
      expect(() => compileRedaction({ paths: [path] }), path).toThrow(TypeError);
      expect(() => compileRedaction({ paths: [path] }), path).toThrow(JSON.stringify(path));
    }
    expect(() => compileRedaction({ paths: [42 as unknown as string] })).toThrow(TypeError);
    expect(() => compileRedaction({ paths: 'data.x' as unknown as string[] })).toThrow(TypeError);
    expect(() => compileRedaction({ replacement: 1 as unknown as string })).toThrow(TypeError);
    expect(() => compileRedaction({ format: 'x' as unknown as () => Job })).toThrow(TypeError);
  });
});

describe('compileRedaction: formatter, progress, logs, schedules', () => {
  it('runs the formatter after the paths, with where the job comes from', () => {
    const seen: unknown[] = [];
    const redaction = compileRedaction({
      paths: ['data.password'],
      format: (job, ctx) => {
        seen.push({ data: job.data, ctx });
        return { ...job, name: `${ctx.backend}/${job.name}`, returnValue: null };
      },
    });
    const job = redaction.job(
      makeJob('1', 'completed', { name: 'send', data: { password: 'p' }, returnValue: 'r' }),
      context,
    );
    expect(seen).toEqual([{ data: { password: '[redacted]' }, ctx: context }]);
    expect(job).toMatchObject({ name: 'mem/send', returnValue: null });
  });

  it('redacts progress values with progress paths only', () => {
    const redaction = compileRedaction({ paths: ['progress.detail.token', 'data.token'] });
    expect(redaction.progress({ detail: { token: 't', pct: 5 } })).toEqual({
      detail: { token: '[redacted]', pct: 5 },
    });
    expect(redaction.progress(42)).toBe(42);
    expect(redaction.progress(null)).toBeNull();
    expect(compileRedaction({ paths: ['data.token'] }).progress({ token: 'x' })).toEqual({
      token: 'x',
    });
  });

  it('hides log messages only when "logs" is a path', () => {
    const page = {
      lines: [
        { timestamp: 1, message: 'token=abc' },
        { timestamp: null, message: 'done' },
      ],
      total: 2,
    };
    expect(compileRedaction({ paths: ['data.x'] }).logs(page)).toBe(page);
    expect(compileRedaction({ paths: ['logs'] }).reshapesJobs).toBe(false);
    expect(compileRedaction({ paths: ['data.x'] }).reshapesJobs).toBe(true);
    expect(compileRedaction({ format: (job) => job }).reshapesJobs).toBe(true);
    expect(compileRedaction({ paths: ['logs'] }).logs(page)).toEqual({
      lines: [
        { timestamp: 1, message: '[redacted]' },
        { timestamp: null, message: '[redacted]' },
      ],
      total: 2,
    });
    expect(page.lines[0]?.message).toBe('token=abc');
  });

  it('applies data and options paths to the job data of schedules', () => {
    const schedule: Schedule = {
      id: 'nightly',
      queue: 'emails',
      jobName: 'send',
      pattern: '0 3 * * *',
      everyMs: null,
      timezone: null,
      nextRunAt: null,
      lastRunAt: null,
      data: { password: 'p', to: 'a' },
      options: { headers: { authorization: 'x' } },
    };
    const redaction = compileRedaction({
      paths: ['data.password', 'options.headers.authorization', 'returnValue.x'],
    });
    expect(redaction.schedule(schedule)).toMatchObject({
      data: { password: '[redacted]', to: 'a' },
      options: { headers: { authorization: '[redacted]' } },
    });
    expect(schedule.data).toEqual({ password: 'p', to: 'a' });
  });
});

describe('matchesSearch', () => {
  const job = makeJob('1', 'failed', {
    name: 'Send-Email',
    data: { password: '[redacted]', to: 'ann@example.com', n: 1 },
    failedReason: 'SMTP timeout',
    stacktrace: ['Error: at smtp.js:1'],
  });

  it('looks in the fields asked for, case-insensitively', () => {
    expect(matchesSearch(job, 'send-email', ['name'])).toBe(true);
    expect(matchesSearch(job, 'send-email', ['data', 'error'])).toBe(false);
    expect(matchesSearch(job, 'ANN@', ['data'])).toBe(true);
    expect(matchesSearch(job, 'timeout', ['error'])).toBe(true);
    expect(matchesSearch(job, 'smtp.js', ['error'])).toBe(true);
    expect(matchesSearch(job, 'hunter2', ['name', 'data', 'error'])).toBe(false);
  });

  it('reads data as compact JSON and as PostgreSQL spaces it', () => {
    expect(matchesSearch(job, '"n":1', ['data'])).toBe(true);
    expect(matchesSearch(job, '"n": 1', ['data'])).toBe(true);
    expect(matchesSearch(job, '"to": "ann', ['data'])).toBe(true);
  });
});
