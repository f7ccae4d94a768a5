import { defineConfig, type Options } from 'tsup';

/**
 * The one build preset every published package uses: ESM + CJS, bundled
 * declarations for both, sourcemaps, Node 20 target. A package passes only what
 * differs (extra entries, deps to bundle).
 */
export function definePackage(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    // Keep `node:` specifiers: Workers (nodejs_compat), Deno and Bun resolve built-ins by them.
    removeNodeProtocol: false,
    ...options,
  });
}
