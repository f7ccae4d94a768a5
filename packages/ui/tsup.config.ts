import { definePackage } from '../../tsup.base';

// The library: ES modules for browsers and bundlers (web components have no
// CommonJS consumers). The served app is built by scripts/build-app.mjs.
export default definePackage({
  entry: ['src/index.ts', 'src/define.ts'],
  format: ['esm'],
  target: 'es2022',
  platform: 'browser',
  splitting: true,
});
