// Builds the dashboard the adapters serve: dist/app/index.html and
// content-hashed, minified ES modules under dist/app/assets/. Code that only
// some views need (charts, the JSON viewer) is split into chunks loaded on
// first use. Prints every file's gzip size and the total the first view loads,
// and fails when that exceeds the budget.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const FIRST_VIEW_BUDGET_BYTES = 50 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/app');
const assets = join(out, 'assets');

await rm(out, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/app-entry.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  outdir: assets,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const page = 'html{color-scheme:light dark}body{margin:0;background:Canvas;color:CanvasText}\n';
const pageCss = `page-${createHash('sha256').update(page).digest('hex').slice(0, 8).toUpperCase()}.css`;
await writeFile(join(assets, pageCss), page);

const outputs = result.metafile.outputs;
const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint === 'src/app-entry.ts');
// The first view loads the entry and what it imports statically, transitively.
const firstView = new Set();
const visit = (file) => {
  if (firstView.has(file)) return;
  firstView.add(file);
  for (const imported of outputs[file].imports) {
    if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  }
};
visit(entry);

const url = (file) => relative(out, join(root, file)).split('\\').join('/');
const preload = [...firstView]
  .filter((file) => file !== entry)
  .map((file) => `<link rel="modulepreload" href="${url(file)}">`)
  .join('');
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qadmin</title>
<link rel="stylesheet" href="assets/${pageCss}">
${preload}<script type="module" src="${url(entry)}"></script>
</head>
<body>
<qadmin-app></qadmin-app>
<noscript>The qadmin dashboard needs JavaScript. Its JSON API is at <a href="api/overview">api/overview</a>.</noscript>
</body>
</html>
`;
await writeFile(join(out, 'index.html'), html);

const rows = [];
let firstViewGzip = 0;
for (const file of [...Object.keys(outputs), `dist/app/assets/${pageCss}`]) {
  if (!/\.(js|css)$/.test(file)) continue;
  const bytes = await readFile(join(root, file));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const loadedFirst = firstView.has(file) || file.endsWith('.css');
  if (loadedFirst) firstViewGzip += gzip;
  rows.push({
    file: url(file),
    'KB raw': (bytes.length / 1024).toFixed(1),
    'KB gzip': (gzip / 1024).toFixed(1),
    loads: loadedFirst ? 'first view' : 'on demand',
  });
}
console.table(rows);
const verdict = firstViewGzip <= FIRST_VIEW_BUDGET_BYTES ? 'within' : 'OVER';
console.log(
  `first view: ${(firstViewGzip / 1024).toFixed(1)} KB gzip of JS+CSS (${verdict} the ${FIRST_VIEW_BUDGET_BYTES / 1024} KB budget)`,
);
if (verdict === 'OVER') process.exit(1);
