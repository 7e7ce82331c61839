// The HTTP application, built and exported without listening (main.ts and tests listen).
// Sub-apps mounted with route(); one error handler turns everything into the one body.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { GkError, MAX_MESSAGE_BYTES } from '@gatekeeper/shared/protocol/index';
import { BUSY_RETRY_AFTER_S } from './auth/hash-gate.ts';
import { throttledLog } from './log.ts';
import { authRoutes } from './routes/auth.ts';
import type { AppDeps, Env } from './routes/context.ts';
import { deviceRoutes } from './routes/devices.ts';
import { csrfGuard } from './routes/guard.ts';
import { eventRoutes } from './routes/events.ts';
import { checkpointRoutes } from './routes/checkpoints.ts';
import { importRoutes } from './routes/imports.ts';
import { scanRoutes } from './routes/scans.ts';
import { historyRoutes } from './routes/history.ts';
import { liveRoutes } from './routes/live.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { settingsRoutes } from './routes/settings.ts';
import { staffRoutes } from './routes/staff.ts';
import { pwaRoutes } from './routes/pwa.ts';
import { deviceCertificateRoutes } from './routes/device-certificates.ts';
import { walletRoutes } from './routes/wallet.ts';
import { verificationRoutes } from './routes/verification.ts';
import { clientAddress } from './routes/context.ts';

export type { AppDeps } from './routes/context.ts';

/** Seconds a client is asked to wait after `unavailable` (a full disk is not freed at once). */
export const RETRY_AFTER_S = 5;

export function createApp(deps: AppDeps) {
  const cannotStore = throttledLog(deps.log, 'error', 'cannot store');
  const app = new Hono<Env>();
  const limit = bodyLimit({ maxSize: MAX_MESSAGE_BYTES, onError: () => { throw new GkError('payload_too_large', `bodies are limited to ${MAX_MESSAGE_BYTES} bytes`); } });

  app.use('*', async (c, next) => { c.set('deps', deps); await next(); });
  app.use('*', secureHeaders({
    // The camera is the point of the app; everything else a page could ask for is off.
    permissionsPolicy: { camera: ['self'], microphone: [], geolocation: [] },
    crossOriginEmbedderPolicy: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"], scriptSrc: ["'self'", "'wasm-unsafe-eval'"], styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'], connectSrc: ["'self'", 'ws:', 'wss:'], workerSrc: ["'self'", 'blob:'], mediaSrc: ["'self'", 'blob:'],
    },
  }));
  app.use('/api/*', csrfGuard());
  app.use('/api/*', async (c, next) => (c.req.path.endsWith('/import') ? next() : limit(c, next)));
  // The public wallet routes: bounded per address before any handler runs (wallet/wallet-door.ts).
  const walletDoor = async (c: Parameters<typeof limit>[0], next: () => Promise<void>) => { deps.verification.door.admit(clientAddress(c)); await next(); };
  // Hono's '/api/wallet/*' matches '/api/wallet' itself too: one pass per request.
  app.use('/api/wallet/*', walletDoor);

  // For a venue's monitoring: up, and able to store scans (not so on a full disk).
  app.get('/healthz', (c) => {
    const storage = deps.storage.health();
    return storage.writable ? c.json({ ok: true }) : c.json({ ok: false, storage }, 503);
  });
  app.route('/api', authRoutes);
  app.route('/api', staffRoutes);
  app.route('/api/devices', deviceRoutes);
  app.route('/api/events', eventRoutes);
  app.route('/api/events', checkpointRoutes);
  app.route('/api/events', importRoutes);
  app.route('/api/events', settingsRoutes);
  app.route('/api/events', scanRoutes);
  app.route('/api/events', historyRoutes);
  app.route('/api/events', liveRoutes);
  app.route('/api/events', fleetRoutes);
  app.route('/api', walletRoutes);
  app.route('/api', verificationRoutes);
  app.route('/api', deviceCertificateRoutes);
  app.all('/api/*', () => { throw new GkError('not_found', 'no such API route'); });
  if (deps.pwaDir) app.route('/', pwaRoutes(deps.pwaDir));

  app.onError((err, c) => {
    if (err instanceof GkError && err.code === 'unavailable') {
      cannotStore({ path: c.req.path, err: err.message });
      c.header('Retry-After', String(RETRY_AFTER_S));
    }
    if (err instanceof GkError && err.code === 'busy') c.header('Retry-After', String(BUSY_RETRY_AFTER_S));
    // A device over its scan limits (scan-service.ts) is told when to send again.
    const retryAfterMs = err instanceof GkError ? (err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs : undefined;
    if (retryAfterMs !== undefined) c.header('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    if (err instanceof GkError) return c.json(err.toBody(), err.status as 400);
    deps.log.error('request failed', { path: c.req.path, err: err instanceof Error ? err.stack : String(err) });
    return c.json(new GkError('internal', 'the server failed on this request').toBody(), 500);
  });
  app.notFound((c) => c.json(new GkError('not_found', `nothing at ${c.req.path}`).toBody(), 404));
  return app;
}
