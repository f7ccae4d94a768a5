// Adds up the JSON results each package's vitest run wrote (turbo restores them
// on a cache hit) and prints one closing line, so a CI log says how many tests
// ran across the workspace. Fails when nothing ran or anything failed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dirs = ['packages', 'apps'].flatMap((root) =>
  readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name)),
);
dirs.push('test-fixtures');
let passed = 0;
let failed = 0;
let skipped = 0;
let packages = 0;
for (const dir of dirs) {
  const file = join(dir, '.vitest-results.json');
  if (!existsSync(file)) continue;
  const result = JSON.parse(readFileSync(file, 'utf8'));
  packages++;
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
}
console.log(`vitest: results of ${packages} packages`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (packages === 0 || passed === 0 || failed > 0) process.exitCode = 1;
