import { CHROMIUM } from '@qadmin/test-fixtures';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Component tests run in a real Chromium (Debian's package, see TOOLCHAIN.md).
// The end-to-end tests (a real server, the built app) are in integrations/ui-e2e.

export default defineConfig({
  // Pre-bundled up front: discovered mid-run, Vite would reload the test page.
  optimizeDeps: {
    include: [
      'lit',
      'lit/directives/live.js',
      'lit/directives/guard.js',
      'lit/directives/repeat.js',
      '@lit/context',
      '@lit/task',
      '@lit-labs/virtualizer/virtualize.js',
      'axe-core',
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'components',
          include: ['src/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM.executablePath, args: [...CHROMIUM.args] },
            }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
