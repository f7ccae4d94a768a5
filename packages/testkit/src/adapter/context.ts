/**
 * What every adapter scenario shares: the fixture and the harness of the
 * current `describe` block, and URLs below the mount path.
 */
import type { QadminApp } from '@qadmin/core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type ContractFixture, createContractFixture } from './fixture';
import { within } from './http';
import type { AdapterHarness, MakeHarness } from './types';

/**
 * A fixture with a harness serving it.
 *
 * @example
 * ```ts
 * const { url, fixture } = ctx.shared();
 * await fetch(url('api/overview'));
 * ```
 */
export interface Mounted {
  fixture: ContractFixture;
  harness: AdapterHarness;
  /** `http://127.0.0.1:4321` */
  origin: string;
  /** The mount path as the URL has it: `''` or `/admin/queues`. */
  mountPath: string;
  /** The absolute URL of `relative` below the mount path: `url('api/overview')`. */
  url(relative?: string): string;
  /** Stops the harness, then disposes of the fixture; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * What the scenarios of one `describe` block get.
 *
 * @example
 * ```ts
 * ctx.test('GET api/health', async () => {
 *   expect(await getJson(ctx.shared().url('api/health'))).toMatchObject({ status: 'ok' });
 * });
 * ```
 */
export interface AdapterContext {
  readonly name: string;
  /** `''` or the prefix, normalised. */
  readonly basePath: string;
  readonly timeoutMs: number;
  /** The fixture and harness of this block, shared by its tests. */
  shared(): Mounted;
  /** A fresh fixture and harness, for tests that stop them; the caller disposes of it. */
  mount(): Promise<Mounted>;
  /** Registers a test with the suite's timeout. */
  test(title: string, fn: () => Promise<void>): void;
  /** Waits, for a third of the timeout at most, until `admin` has `count` event subscribers. */
  expectSubscribers(admin: QadminApp, count: number): Promise<void>;
}

async function mountFixture(
  makeHarness: MakeHarness,
  basePath: string,
  name: string,
  timeoutMs: number,
): Promise<Mounted> {
  const fixture = await createContractFixture();
  let harness: AdapterHarness;
  try {
    harness = await makeHarness(fixture.admin, { basePath });
  } catch (error) {
    await fixture.dispose();
    throw error;
  }
  const base = new URL(harness.url);
  const mountPath = base.pathname.replace(/\/+$/, '');
  if (mountPath !== basePath) {
    await harness.close();
    await fixture.dispose();
    throw new Error(
      `adapter contract ${name}: harness.url must be the origin followed by the mount path ` +
        `${JSON.stringify(basePath || '/')}, got ${harness.url}`,
    );
  }
  let disposed: Promise<void> | undefined;
  return {
    fixture,
    harness,
    origin: base.origin,
    mountPath,
    url: (relative = '') => `${base.origin}${mountPath}/${relative}`,
    dispose() {
      disposed ??= (async () => {
        try {
          // A harness that hangs on close must not also leak the fixture's files.
          await within(
            harness.close(),
            timeoutMs / 2,
            `adapter contract ${name}: harness.close() hung`,
          );
        } finally {
          await fixture.dispose();
        }
      })();
      return disposed;
    },
  };
}

/**
 * Builds the context of one `describe` block: a fixture and harness created
 * before its tests and stopped after them.
 *
 * @example
 * ```ts
 * describe('adapter contract: x (mounted at /admin/queues)', () => {
 *   const ctx = createAdapterContext('x', makeHarness, '/admin/queues', 15_000);
 *   jsonScenarios(ctx);
 * });
 * ```
 */
export function createAdapterContext(
  name: string,
  makeHarness: MakeHarness,
  basePath: string,
  timeoutMs: number,
): AdapterContext {
  let current: Mounted | undefined;
  beforeAll(async () => {
    current = await mountFixture(makeHarness, basePath, name, timeoutMs);
  }, timeoutMs);
  afterAll(async () => {
    await current?.dispose();
  }, timeoutMs);
  return {
    name,
    basePath,
    timeoutMs,
    shared() {
      if (!current) throw new Error('adapter contract: the harness did not start (see beforeAll)');
      return current;
    },
    mount: () => mountFixture(makeHarness, basePath, name, timeoutMs),
    test(title, fn) {
      it(title, fn, timeoutMs);
    },
    async expectSubscribers(admin, count) {
      await vi.waitFor(() => expect(admin.service.subscriberCount).toBe(count), {
        timeout: timeoutMs / 3,
        interval: 50,
      });
    },
  };
}
