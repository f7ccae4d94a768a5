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

// A small icon: without one the browser asks the host app for /favicon.ico.
const icon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b5bdb"/>' +
  '<path d="M8 10h16M8 16h11M8 22h7" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>\n';
const iconFile = `favicon-${createHash('sha256').update(icon).digest('hex').slice(0, 8).toUpperCase()}.svg`;
await writeFile(join(assets, iconFile), icon);

const page = 'html{color-scheme:light dark}body{margin:0;background:Canvas;color:CanvasText}\n';
const pageCss = `page-${createHash('sha256').update(page).digest('hex').slice(0, 8).toUpperCase()}.css`;
await writeFile(join(assets, pageCss), page);

const outputs = result.metafile.outputs;
const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint === 'src/app-entry.ts');
// What a page loads before it shows anything: the entry, the chunk of the
// view it opens on (the entry imports one per view, dynamically) and what
// those import statically, transitively. Charts, the JSON viewer's extras
// and the cron library are imported dynamically by the views: on demand.
const closure = (file, into = new Set()) => {
  if (into.has(file)) return into;
  into.add(file);
  for (const imported of outputs[file].imports) {
    if (imported.kind === 'import-statement' && !imported.external) closure(imported.path, into);
  }
  return into;
};
const firstView = closure(entry);
const viewChunks = outputs[entry].imports
  .filter((imported) => imported.kind === 'dynamic-import')
  .map((imported) => imported.path);
const routes = viewChunks.map((chunk) => ({
  name: chunk
    .split('/')
    .pop()
    .replace(/-[A-Z0-9]+\.js$/, ''),
  files: new Set([...firstView, ...closure(chunk)]),
}));

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
<link rel="icon" type="image/svg+xml" href="assets/${iconFile}">
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

const sizes = new Map();
const rows = [];
for (const file of [...Object.keys(outputs), `dist/app/assets/${pageCss}`]) {
  if (!/\.(js|css)$/.test(file)) continue;
  const bytes = await readFile(join(root, file));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  sizes.set(file, gzip);
  const route = routes.find((r) => r.files.has(file) && !firstView.has(file));
  rows.push({
    file: url(file),
    'KB raw': (bytes.length / 1024).toFixed(1),
    'KB gzip': (gzip / 1024).toFixed(1),
    loads:
      firstView.has(file) || file.endsWith('.css')
        ? 'always'
        : route
          ? `with ${route.name}`
          : 'on demand',
  });
}
console.table(rows);
const cssGzip = sizes.get(`dist/app/assets/${pageCss}`);
let over = false;
for (const route of routes) {
  const total = [...route.files].reduce((sum, file) => sum + sizes.get(file), cssGzip);
  const verdict = total <= FIRST_VIEW_BUDGET_BYTES ? 'within' : 'OVER';
  over ||= verdict === 'OVER';
  console.log(
    `first view opening on ${route.name}: ${(total / 1024).toFixed(1)} KB gzip of JS+CSS (${verdict} the ${FIRST_VIEW_BUDGET_BYTES / 1024} KB budget)`,
  );
}
if (over) process.exit(1);
