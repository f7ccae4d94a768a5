/**
 * @qadmin/express against the adapter contract, once per Express major (see
 * vitest.config.ts), mounted the way the README recommends: before the host's
 * body parsers, next to a host route, a catch-all 404 and an error handler,
 * behind the `compression` middleware most Express apps run (it must not hold
 * back live events).
 * test/host.test.ts covers a host whose parsers run first.
 */
import { createServer } from 'node:http';
import { listenHarness, runAdapterContract } from '@qadmin/testkit';
import compression from 'compression';
import express from 'express';
import expressPackage from 'express/package.json' with { type: 'json' };
import { expect, it } from 'vitest';
import { qadmin } from '../src/index';

it('runs against the Express major this project is for', () => {
  expect(expressPackage.version.split('.')[0]).toBe(process.env.EXPECTED_EXPRESS_MAJOR);
});

runAdapterContract(`express ${expressPackage.version}`, (admin, { basePath }) => {
  const app = express();
  app.use(compression());
  app.use(basePath || '/', qadmin(admin));
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('host app: not found');
  });
  app.use(
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).type('text/plain').send(`host error handler: ${error.message}`);
    },
  );
  return listenHarness(createServer(app), basePath);
});
