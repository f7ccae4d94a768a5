import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** A headless Chromium page opened by {@link launchBrowser}. */
export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  /**
   * What went wrong on the page so far: uncaught errors, console errors and
   * every response with a status of 400 or more (with its URL).
   */
  errors: string[];
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * How qadmin's tests start Chromium: Debian's binary (`CHROMIUM_PATH`,
 * default `/usr/bin/chromium`) with the flags that keep it off the network
 * (see TOOLCHAIN.md). Used by {@link launchBrowser} and by vitest's browser
 * mode in `@qadmin/ui`.
 *
 * @example
 * ```ts
 * playwright({ launchOptions: { executablePath: CHROMIUM.executablePath, args: CHROMIUM.args } });
 * ```
 */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
} as const;

/**
 * Launches Debian's Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`)
 * through playwright-core in a fresh, throwaway profile, with the flags that
 * keep it off the network (see TOOLCHAIN.md), and collects the page's errors.
 */
export async function launchBrowser(
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<LaunchedBrowser> {
  // Loaded here, not with the module: most users of the fixtures never open a browser.
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'qadmin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM.executablePath,
    headless: true,
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1280, height: 860 },
    args: [...CHROMIUM.args],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Failed loads are reported below with their URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
