// Cross-site request forgery guard for every state-changing API request (POST, PUT,
// PATCH, DELETE). SameSite=Strict alone is not enough: a page on another port or
// subdomain of the venue's host is "same site", and older browsers ignore the attribute.
//
// - Origin: a browser always sends it on these methods; it must be this server (the
//   host the request came to) or one listed in GK_ALLOWED_ORIGINS. A request without
//   Origin comes from a client that is not a browser (the CLI, tests, curl), which
//   carries no ambient cookie it did not choose to send.
// - Content type: a cross-site HTML form can post text/plain, urlencoded or multipart
//   without a preflight; JSON needs one. So a body must be JSON (415 otherwise), except
//   the ticket import, which also takes text/csv (and stays behind the Origin check).
import type { MiddlewareHandler } from 'hono';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { originAllowed } from '../auth/origin.ts';
import type { Env } from './context.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);


function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function hasBody(headers: { header(name: string): string | undefined }): boolean {
  const length = headers.header('content-length');
  return headers.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

export function csrfGuard(): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (!STATE_CHANGING.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(origin, new URL(c.req.url).host, c.var.deps.allowedOrigins ?? [])) {
      throw new GkError('forbidden', `requests from ${origin.slice(0, 100)} are not accepted; add it to GK_ALLOWED_ORIGINS if it is yours`);
    }
    const type = mediaType(c.req.header('content-type'));
    const isImport = c.req.path.endsWith('/import');
    const accepted = type === 'application/json' || (isImport && type === 'text/csv');
    if (!accepted && (type !== '' || hasBody(c.req))) {
      throw new GkError('unsupported_media_type', isImport ? 'send the import as application/json or text/csv' : 'send the body as application/json');
    }
    await next();
  };
}
