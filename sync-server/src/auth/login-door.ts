// A login the hash gate would refuse anyway is refused at the door, by the bare HTTP
// listener, before the app sees it. Through the app, each attempt of a login flood built
// a web Request and its body stream, ran the middleware, parsed and validated the body,
// looked the account up and threw a GkError, all to answer 503 busy: from 200 addresses
// a second that kept the event loop nearly saturated, and online verdicts waited behind it
// (server.verdict.p99.loginFlood). Here it costs the connection and a few header lines.
//
// Nothing is counted against the account or the address: as at the gate, an attempt the
// server was too busy to judge is given back (routes/auth.ts). Only while the gate is
// full: otherwise the login goes in, is throttled (429) and waits its turn as before. A
// login with a valid known-browser cookie (known-browsers.ts: an HMAC, microseconds) goes in
// too, to wait in its own lane.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { BUSY_MESSAGE, BUSY_RETRY_AFTER_S, type HashGate } from './hash-gate.ts';
import type { KnownBrowsers } from './known-browsers.ts';

const LOGIN_PATH = '/api/login';

/** The one error body, made once: every refusal says the same. */
const BUSY_BODY = JSON.stringify(new GkError('busy', BUSY_MESSAGE).toBody());

const isLogin = (req: IncomingMessage): boolean => {
  if (req.method !== 'POST' || !req.url?.startsWith(LOGIN_PATH)) return false;
  const rest = req.url.slice(LOGIN_PATH.length);
  return rest === '' || rest.startsWith('?');
};

/**
 * `listener`, except that a login is answered 503 busy while `gate` is full, unless it
 * comes from a browser where staff signed in (its lane at the gate is not the flood's).
 */
export function refuseLoginsWhileBusy(listener: RequestListener, gate: Pick<HashGate, 'full'>, known: Pick<KnownBrowsers, 'inHeader'>): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!gate.full || !isLogin(req) || known.inHeader(req.headers.cookie)) return listener(req, res);
    // The body is left unread; Node discards it once the answer is sent.
    res.writeHead(503, {
      'content-type': 'application/json', 'content-length': Buffer.byteLength(BUSY_BODY),
      'retry-after': String(BUSY_RETRY_AFTER_S), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    });
    res.end(BUSY_BODY);
  };
}
