import { definePackage } from '../../tsup.base';

export default definePackage({
  entry: ['src/index.ts', 'src/bee-queue.ts', 'src/graphile-worker.ts'],
  external: ['bee-queue', 'graphile-worker'],
});
