// Plain HTTP is for this machine only once HTTPS is on. A phone on the venue's Wi-Fi
// that opens http://… gets a redirect to the HTTPS address and nothing else: no login
// form, no API, no socket, so the session cookie and the manifest never cross the LAN
// in clear. Loopback (the terminal, a reverse proxy on the same machine, tests) is
// served over HTTP as before.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Reachable from this machine only: 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6), or `localhost` as a host to listen on. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === 'localhost' || v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The HTTPS URL of the same host name and path. A Host header that is not a plain
 *  host name or address is not echoed into the Location. */
export function httpsLocation(host: string | undefined, path: string | undefined, httpsPort: number): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(host ?? '');
  const name = m ? m[1] : 'localhost';
  const target = path?.startsWith('/') ? path : '/';
  return `https://${name}${httpsPort === 443 ? '' : `:${httpsPort}`}${target}`;
}

/** The plain-HTTP listener: `listener` for loopback, a 308 to HTTPS for everyone else. */
export function plainHttpListener(listener: RequestListener, httpsPort: number): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (isLoopback(req.socket.remoteAddress)) return listener(req, res);
    const location = httpsLocation(req.headers.host, req.url, httpsPort);
    res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`Use ${location}\n`);
  };
}
