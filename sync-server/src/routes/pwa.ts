// Serves the built scanner app and the holder's wallet (/wallet, its own page). Unknown
// paths that are pages (/v/<code>, deep links) get index.html so the app can route them;
// the service worker script is never cached by HTTP so an update is seen on the next check.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env } from './context.ts';

export function pwaRoutes(dir: string) {
  const index = join(dir, 'index.html');
  const wallet = join(dir, 'wallet.html');
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    await next();
    const p = c.req.path;
    if (p === '/sw.js' || p.endsWith('.webmanifest') || p === '/' || p === '/wallet' || p.endsWith('.html')) c.header('Cache-Control', 'no-cache');
    else if (p.startsWith('/assets/')) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use('*', serveStatic({ root: dir }));
  // The token is in the fragment (/wallet#<token>): the server never sees it.
  app.get('/wallet', (c) => {
    if (!existsSync(wallet)) return c.text('The wallet is not built: run `npm run build`.', 503);
    return c.html(readFileSync(wallet, 'utf8'));
  });
  app.get('*', (c) => {
    if (!existsSync(index)) return c.text('The scanner app is not built: run `npm run build`.', 503);
    return c.html(readFileSync(index, 'utf8'));
  });
  return app;
}
