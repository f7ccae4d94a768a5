// @ts-check
// The whole script of the plain page (public/index.html): register every qadmin
// element. Your own bundler (Vite, webpack, esbuild, Rollup...) turns this into
// something the browser loads; here src/server.js runs esbuild on it at start.
import '@qadmin/ui/define';
