/**
 * What is particular to the audit trail in a Redis stream: trimmed exactly to
 * a small cap, read the same by a new backend (another dashboard instance)
 * over the same Redis, an entry from a clock behind still lands last, and the
 * key on a Redis Cluster. Order, `before`, `limit`, round trips and concurrent
 * appends are the backend contract's (test/contract.test.ts).
 */
import type { AuditEntry } from '@qadmin/core';
import { Cluster, Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { type BullmqBackend, createBullmqBackend } from '../src/index';

const url = inject('redisUrl');
const nodes = inject('redisCluster');
const unique = () =>
  `a${process.env.EXPECTED_BULLMQ_MAJOR ?? ''}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const open: { close?(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const thing of open.reverse()) await thing.close?.();
});

function track(backend: BullmqBackend): BullmqBackend {
  open.push(backend);
  return backend;
}

const entry = (n: number, at = 1_700_000_000_000 + n * 1000): AuditEntry => ({
  id: `e${n}`,
  at,
  actor: { id: 'ana', name: 'ana', role: 'admin', via: 'password' },
  action: 'queue.clean',
  queueId: 'bullmq:emails',
  filter: { state: 'completed', olderThanMs: 60_000 },
  affected: n,
  outcome: 'ok',
  status: 200,
  remoteAddress: '10.0.0.7',
});

it('trims to the cap and survives a new backend', async () => {
  const prefix = unique();
  const a = track(createBullmqBackend({ connection: url, prefix, auditCap: 5 }));
  expect(a.capabilities.audit).toBe(true);
  for (let n = 1; n <= 8; n++) await a.appendAudit!(entry(n));
  const newest = await a.listAudit!({ limit: 10 });
  expect(newest.map((e) => e.id)).toEqual(['e8', 'e7', 'e6', 'e5', 'e4']);
  const redis = new Redis(url);
  try {
    expect(await redis.xlen(`${prefix}:qadmin:audit`)).toBe(5);
  } finally {
    redis.disconnect();
  }

  // Another dashboard instance over the same Redis reads and extends the same trail; an
  // entry whose clock is behind the last one still lands after it.
  const b = track(createBullmqBackend({ connection: url, prefix, auditCap: 5 }));
  expect((await b.listAudit!({ limit: 10 })).map((e) => e.id)).toEqual(newest.map((e) => e.id));
  await b.appendAudit!(entry(9, entry(8).at - 5000));
  expect((await a.listAudit!({ limit: 2 })).map((e) => e.id)).toEqual(['e9', 'e8']);
});

it('keeps the trail under the first prefix on a Redis Cluster', async () => {
  const prefix = `{${unique()}}`;
  const connection = new Cluster(nodes);
  const backend = createBullmqBackend({ connection, prefix: [prefix, `{${unique()}}`] });
  try {
    await backend.appendAudit!(entry(1));
    await backend.appendAudit!(entry(2));
    expect((await backend.listAudit!({ limit: 10 })).map((e) => e.id)).toEqual(['e2', 'e1']);
    expect(await connection.xlen(`${prefix}:qadmin:audit`)).toBe(2);
  } finally {
    await backend.close?.();
    await connection.quit();
  }
});
