// The supervisors' device fleet over HTTP: the list of an event's phones, and a stream of
// their rows as they change (Server-Sent Events). A stream rather than the socket: the
// console runs on a laptop that scans nowhere, and a socket needs a hello from a phone at
// an event (its catch-up, its gossip); an EventSource needs only the session cookie, and
// reconnects by itself.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { streamSSE } from 'hono/streaming';
import type { FleetChange, FleetReply } from '@gatekeeper/shared/api/fleet';
import { access } from './events.ts';
import type { Env } from './context.ts';

/**
 * How often an open stream checks that its session and access still stand (logout,
 * revocation of the laptop, a supervisor taken off the event) and writes a comment so that
 * proxies and the browser see it alive.
 */
export const FLEET_STREAM_CHECK_MS = 20_000;

export const fleetRoutes = new Hono<Env>()
  .get('/:eventId/fleet', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json(await c.var.deps.fleet.list(eventId) satisfies FleetReply);
  })
  // `event: device`, data: a FleetChange (shared/src/api/fleet.ts). Nothing is sent at the
  // start: GET …/fleet is the first view, and a row newer than it (by serverTime) replaces it.
  .get('/:eventId/fleet/stream', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const { fleet, log } = c.var.deps;
    return streamSSE(c, async (stream) => {
      const queue: FleetChange[] = [];
      let wake: (() => void) | null = null;
      const stop = fleet.watch(eventId, (change) => { queue.push(change); wake?.(); });
      stream.onAbort(() => wake?.());
      try {
        let nextCheck = Date.now() + FLEET_STREAM_CHECK_MS;
        while (!stream.aborted && !stream.closed) {
          for (let change = queue.shift(); change; change = queue.shift()) {
            await stream.writeSSE({ event: 'device', data: JSON.stringify(change) });
          }
          if (Date.now() >= nextCheck) {
            // Throws when the session ended or the access went: the stream ends with it.
            await access(c, 'supervisor');
            await stream.write(': alive\n\n');
            nextCheck = Date.now() + FLEET_STREAM_CHECK_MS;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, nextCheck - Date.now())).unref?.();
          });
          wake = null;
        }
      } finally {
        stop();
      }
    }, async (e) => { log.info('fleet stream ended', { event: eventId, reason: e.message }); });
  });
