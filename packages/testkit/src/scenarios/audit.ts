import {
  type AuditEntry,
  type AuditQuery,
  auditEntrySchema,
  type QueueBackend,
} from '@qadmin/core';
import { describe, expect } from 'vitest';
import { type Harness, parseOrFail } from '../harness';

/** Concurrent appends: a burst of dashboard users acting at once. */
const BURST = 50;
/** Room for one test's entries, in milliseconds of `at`. */
const WINDOW_MS = 60_000;

/** An error detail as long as a problem answer may carry, every line multi-byte. */
const LONG_DETAIL = Array.from(
  { length: 400 },
  (_, i) => `line ${i}: ü 東京 😀 "quoted" \\back\\slash <b>markup</b>\ttab\r\n`,
).join('');

/**
 * The audit store (`appendAudit` / `listAudit`): newest first, `before`
 * strictly older, `limit`, entries intact, concurrent appends kept.
 *
 * The store is one per backend, not per queue, so the tests of this block share
 * it. Each test writes entries in a time window of its own, later than every
 * earlier test's window, and checks only its own window. Entries are appended
 * in time order, as one dashboard records them: a store may keep them in order
 * of arrival (a Redis stream does).
 *
 * The cap is not checked here: the contract cannot configure it, and
 * appending the default cap's 10,000 entries would be slow; each backend
 * tests it with a small cap of its own.
 */
export function auditScenarios<B extends QueueBackend>(h: Harness<B>): void {
  describe('audit store', () => {
    const backend = h.useBackend();
    const requirements = [{ ok: h.caps.audit, label: 'audit' }];
    // A day back, so the windows never reach the present.
    let nextWindow = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
    let appended = false;

    /** A fresh time window and a tag that names this test's entries. */
    const timeWindow = () => {
      const start = nextWindow;
      nextWindow += WINDOW_MS;
      return { start, end: start + WINDOW_MS, tag: h.queueName() };
    };

    const append = async (b: B, entries: readonly AuditEntry[]) => {
      appended = true;
      for (const entry of entries) await b.appendAudit!(structuredClone(entry));
    };

    const list = async (b: B, query: AuditQuery) => {
      const context = `listAudit(${JSON.stringify(query)})`;
      const entries: unknown = await b.listAudit!(query);
      expect(Array.isArray(entries), `${context} returns an array`).toBe(true);
      const listed = entries as unknown[];
      expect(listed.length, `${context}: at most limit entries`).toBeLessThanOrEqual(query.limit);
      listed.forEach((entry, i) => {
        parseOrFail(auditEntrySchema, entry, `${context}: entry ${i} is not a valid AuditEntry`);
      });
      const valid = listed as AuditEntry[];
      for (let i = 1; i < valid.length; i++) {
        expect(
          valid[i - 1]!.at,
          `${context}: not newest first at position ${i}: ${valid[i - 1]!.id} then ${valid[i]!.id}`,
        ).toBeGreaterThanOrEqual(valid[i]!.at);
      }
      if (query.before !== undefined) {
        for (const entry of valid) {
          expect(entry.at, `${context}: ${entry.id} is not older than before`).toBeLessThan(
            query.before,
          );
        }
      }
      return valid;
    };

    const ids = (entries: readonly AuditEntry[]) => entries.map((entry) => entry.id);

    h.test('lists nothing when nothing was recorded', requirements, async (ctx) => {
      if (appended) ctx.skip('another test of this block recorded entries first');
      const b = backend();
      expect(await list(b, { limit: 10 })).toEqual([]);
      expect(await list(b, { before: Date.now(), limit: 10 })).toEqual([]);
    });

    h.test(`keeps all of ${BURST} concurrent appends, each intact`, requirements, async () => {
      const b = backend();
      const { start, end, tag } = timeWindow();
      // A burst within one millisecond: the order they reach the store in is anyone's guess.
      const at = start + 5;
      const entries = Array.from({ length: BURST }, (_, i) => auditEntry(b, tag, i, at));
      appended = true;
      await Promise.all(entries.map((entry) => b.appendAudit!(structuredClone(entry))));
      const listed = await list(b, { before: end, limit: BURST });
      expect(ids(listed).sort(), 'every entry once').toEqual(ids(entries).sort());
      const byId = new Map(entries.map((entry) => [entry.id, entry]));
      for (const entry of listed) expect(entry, entry.id).toEqual(byId.get(entry.id));
      const mine = (page: AuditEntry[]) => page.filter((entry) => entry.at >= start).length;
      expect(mine(await list(b, { before: at + 1, limit: BURST })), 'before at + 1').toBe(BURST);
      expect(mine(await list(b, { before: at, limit: BURST })), 'before at').toBe(0);
    });

    h.test('lists the newest entries first', requirements, async () => {
      const b = backend();
      const { start, tag } = timeWindow();
      const entries = Array.from({ length: 12 }, (_, i) => auditEntry(b, tag, i, start + i * 1000));
      await append(b, entries);
      // This test's window is the newest in the store.
      const newest = await list(b, { limit: entries.length });
      expect(ids(newest)).toEqual(ids(entries).reverse());
      expect(newest).toEqual([...entries].reverse());
    });

    h.test('`before` lists only entries strictly older than it', requirements, async () => {
      const b = backend();
      const { start, end, tag } = timeWindow();
      // Two entries share start + 20.
      const offsets = [0, 10, 20, 20, 21, 30];
      const entries = offsets.map((offset, i) => auditEntry(b, tag, i, start + offset));
      await append(b, entries);
      const ours = async (before: number) => {
        const listed = await list(b, { before, limit: 100 });
        // Entries of earlier tests are older than this window, so they can only come after.
        const mine = listed.filter((entry) => entry.id.startsWith(`${tag}-`));
        expect(ids(listed.slice(0, mine.length)), `before ${before - start}: ours first`).toEqual(
          ids(mine),
        );
        return ids(mine).sort();
      };
      const older = (before: number) =>
        ids(entries.filter((entry) => entry.at < start + before)).sort();
      expect(await ours(end)).toEqual(ids(entries).sort());
      expect(await ours(start + 31), 'one past the newest').toEqual(older(31));
      expect(await ours(start + 30), 'at the newest, exclusive').toEqual(older(30));
      expect(await ours(start + 21), 'both entries of a shared millisecond').toEqual(older(21));
      expect(await ours(start + 20), 'neither entry of a shared millisecond').toEqual(older(20));
      expect(await ours(start + 1), 'only the oldest').toEqual(older(1));
      expect(await ours(start), 'nothing older than the oldest').toEqual([]);
    });

    h.test('pages with `before` walk the whole trail, each entry once', requirements, async () => {
      const b = backend();
      const { start, end, tag } = timeWindow();
      const entries = Array.from({ length: 11 }, (_, i) => auditEntry(b, tag, i, start + i * 7));
      await append(b, entries);
      const walked: AuditEntry[] = [];
      let before = end;
      for (let page = 0; page < entries.length; page++) {
        const listed = await list(b, { before, limit: 4 });
        const mine = listed.filter((entry) => entry.at >= start);
        walked.push(...mine);
        if (mine.length < 4) break;
        before = mine.at(-1)!.at;
      }
      expect(ids(walked)).toEqual(ids(entries).reverse());
    });

    h.test('returns at most `limit` entries, the newest', requirements, async () => {
      const b = backend();
      const { start, end, tag } = timeWindow();
      const entries = Array.from({ length: 7 }, (_, i) => auditEntry(b, tag, i, start + i));
      await append(b, entries);
      const newestFirst = ids(entries).reverse();
      for (const limit of [1, 3, 7]) {
        expect(ids(await list(b, { limit })), `limit ${limit}`).toEqual(
          newestFirst.slice(0, limit),
        );
        expect(ids(await list(b, { before: end, limit })), `limit ${limit} with before`).toEqual(
          newestFirst.slice(0, limit),
        );
      }
      expect(ids(await list(b, { before: start + 5, limit: 2 })), 'limit 2 before #5').toEqual(
        newestFirst.slice(2, 4),
      );
      const all = await list(b, { limit: 1000 });
      expect(ids(all.slice(0, entries.length)), 'limit 1000').toEqual(newestFirst);
    });

    h.test(
      'returns every field as appended: unicode, a long error detail, a minimal entry',
      requirements,
      async () => {
        const b = backend();
        const { start, end, tag } = timeWindow();
        const full: AuditEntry = {
          id: `${tag}-full`,
          at: start + 1,
          actor: {
            id: 'user:ü-東京-😀',
            name: 'Zoë Ñúñez 東京 👩‍💻 مرحبا e\u0301',
            role: 'admin',
            via: 'proxy',
          },
          action: 'queue.clean',
          queueId: `${b.id}:emails ü/東京`,
          jobId: 'job /#?&=% ü 😀',
          filter: {
            state: 'completed',
            olderThanMs: 86_400_000,
            limit: 1000,
            fraction: 0.25,
            negative: -1,
            dryRun: false,
            force: true,
            schedule: null,
            label: '"quoted" \\ <b>markup</b> 😀\n\u0001\u001f\u007f',
          },
          affected: 3_000_000_000,
          outcome: 'error',
          status: 409,
          error: { title: 'Queue is busy: ü 東京 😀', detail: LONG_DETAIL },
          remoteAddress: '2001:db8::7',
        };
        const minimal: AuditEntry = {
          id: `${tag}-minimal`,
          at: start + 2,
          actor: { id: 'anonymous', name: 'anonymous', role: 'viewer', via: 'anonymous' },
          action: 'job.add',
          queueId: `${b.id}:q`,
          affected: null,
          outcome: 'ok',
          status: 201,
        };
        const errorWithoutDetail: AuditEntry = {
          ...auditEntry(b, tag, 3, start + 3),
          affected: 0,
          outcome: 'error',
          status: 404,
          error: { title: 'Not found' },
        };
        const sent = [full, minimal, errorWithoutDetail];
        const kept = structuredClone(sent);
        appended = true;
        for (const entry of sent) await b.appendAudit!(entry);
        // The store keeps what it was given, not a reference to the caller's object.
        full.actor.name = 'changed';
        full.filter!.state = 'changed';
        delete full.error;

        const listed = await list(b, { before: end, limit: sent.length });
        expect(listed).toEqual([...kept].reverse());
        expect(listed.find((entry) => entry.id === full.id)?.error?.detail?.length).toBe(
          LONG_DETAIL.length,
        );
        // ... nor hands out its own objects.
        listed[0]!.actor.name = 'changed';
        listed.at(-1)!.filter!.state = 'changed';
        expect(await list(b, { before: end, limit: sent.length })).toEqual([...kept].reverse());
      },
    );
  });
}

/** A valid entry of `tag` at `at`; its fields vary with `n`. */
function auditEntry(b: QueueBackend, tag: string, n: number, at: number): AuditEntry {
  const roles = ['viewer', 'operator', 'admin'] as const;
  const ok = n % 3 !== 2;
  return {
    id: `${tag}-${n}`,
    at,
    actor: { id: `user-${n % 4}`, name: `User ${n % 4}`, role: roles[n % 3]!, via: 'password' },
    action: n % 2 === 0 ? 'job.retry' : 'queue.clean',
    queueId: `${b.id}:${tag}`,
    ...(n % 2 === 0
      ? { jobId: String(n) }
      : { filter: { state: 'failed', olderThanMs: n * 1000, limit: 100 } }),
    affected: n % 2 === 0 ? 1 : n,
    outcome: ok ? 'ok' : 'error',
    status: ok ? 200 : 409,
    ...(ok ? {} : { error: { title: 'Conflict', detail: `entry ${n} conflicts` } }),
    remoteAddress: `10.0.0.${n % 256}`,
  };
}
