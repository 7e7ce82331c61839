import { describe, expect, it } from 'vitest';
import {
  GkError, MAX_BATCH, MAX_MESSAGE_BYTES, parseDown, parseUp, PROTOCOL_VERSION,
} from '@gatekeeper/shared/protocol/index';
import { conflict, downs, scan, scanRequest, ups } from './protocol-samples.ts';

/** Run `f` and return the GkError it throws (failing if it throws anything else or nothing). */
function gkError(f: () => unknown): GkError {
  try { f(); } catch (e) {
    expect(e).toBeInstanceOf(GkError);
    return e as GkError;
  }
  throw new Error('expected a GkError');
}

const malformed = (parse: (raw: string) => unknown, raw: string) => {
  const e = gkError(() => parse(raw));
  expect(e.code).toBe('malformed_message');
  expect(e.status).toBe(400);
  return e;
};

describe('parseUp', () => {
  it.each(Object.entries(ups))('accepts a valid %s message', (_type, msg) => {
    expect(parseUp(JSON.stringify(msg))).toMatchObject(msg as object);
  });

  it('refuses what is not JSON', () => {
    expect(malformed(parseUp, '{"type":"ping",').message).toMatch(/not JSON/);
    malformed(parseUp, '');
  });

  it('refuses JSON that is not a message', () => {
    for (const raw of ['null', '42', '"ping"', '[]', '{}']) malformed(parseUp, raw);
  });

  it('refuses an unknown type and a server-only type', () => {
    malformed(parseUp, JSON.stringify({ type: 'teleport' }));
    malformed(parseUp, JSON.stringify(downs.pong)); // the server's message sent upstream
  });

  it('refuses a message with a field missing, and says which', () => {
    const { cursor: _c, ...hello } = ups.hello as Record<string, unknown>;
    expect(malformed(parseUp, JSON.stringify(hello)).message).toMatch(/cursor/);
    const { hlc: _h, ...noClock } = scanRequest;
    expect(malformed(parseUp, JSON.stringify({ type: 'scan', scan: noClock })).message).toMatch(/scan\.hlc/);
  });

  it('refuses fields of the wrong type', () => {
    malformed(parseUp, JSON.stringify({ type: 'ping', id: '1', clientTime: 0 }));
    malformed(parseUp, JSON.stringify({ type: 'ping', id: 1.5, clientTime: 0 }));
    malformed(parseUp, JSON.stringify({ ...(ups.hello as object), v: 0 }));
  });

  it('refuses bad ids', () => {
    malformed(parseUp, JSON.stringify({ ...(ups.hello as object), deviceId: 'dev a' }));
    malformed(parseUp, JSON.stringify({ ...(ups.hello as object), eventId: '' }));
    malformed(parseUp, JSON.stringify({ type: 'upload', batchId: 'b1', scans: [{ ...scan, id: '../etc' }] }));
    malformed(parseUp, JSON.stringify({ type: 'upload', batchId: 'b1', scans: [{ ...scan, ticketId: 'T\u00001' }] }));
  });

  it('refuses bad scan fields: clock stamp, outcome, direction, mode', () => {
    for (const bad of [{ hlc: '1718000000000:0000' }, { outcome: 'maybe' }, { direction: 'sideways' }, { mode: 'twice' }]) {
      malformed(parseUp, JSON.stringify({ type: 'upload', batchId: 'b1', scans: [{ ...scan, ...bad }] }));
    }
  });

  it('refuses an empty upload and one over the batch limit', () => {
    malformed(parseUp, JSON.stringify({ type: 'upload', batchId: 'b1', scans: [] }));
    const many = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ ...scan, id: `s-${i}` }));
    const raw = JSON.stringify({ type: 'upload', batchId: 'b1', scans: many });
    expect(raw.length).toBeLessThan(MAX_MESSAGE_BYTES);
    malformed(parseUp, raw);
  });

  it('refuses a message over the size limit before parsing it', () => {
    const raw = JSON.stringify({ type: 'ping', id: 1, clientTime: 0, pad: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const e = gkError(() => parseUp(raw));
    expect(e.code).toBe('payload_too_large');
    expect(e.status).toBe(413);
    // Over the limit even when it is not JSON at all: size is checked first.
    expect(gkError(() => parseUp('x'.repeat(MAX_MESSAGE_BYTES + 1))).code).toBe('payload_too_large');
  });

  it('accepts a message of exactly the size limit', () => {
    const base = JSON.stringify({ type: 'ping', id: 1, clientTime: 0, pad: '' });
    const raw = JSON.stringify({ type: 'ping', id: 1, clientTime: 0, pad: 'x'.repeat(MAX_MESSAGE_BYTES - base.length) });
    expect(raw.length).toBe(MAX_MESSAGE_BYTES);
    expect(parseUp(raw).type).toBe('ping');
  });

  it('gives a body in the one error shape', () => {
    const e = malformed(parseUp, 'nope');
    expect(e.toBody()).toEqual({ error: { code: 'malformed_message', message: e.message } });
  });
});

describe('parseDown', () => {
  it.each(Object.entries(downs))('accepts a valid %s message', (_type, msg) => {
    expect(parseDown(JSON.stringify(msg))).toMatchObject(msg as object);
  });

  it('refuses what is not JSON', () => {
    malformed(parseDown, '<html>502 Bad Gateway</html>');
  });

  it('refuses an unknown type and a client-only type', () => {
    malformed(parseDown, JSON.stringify({ type: 'surprise' }));
    malformed(parseDown, JSON.stringify(ups.ping));
  });

  it('refuses a message with a field missing', () => {
    const { serverTime: _s, ...pong } = downs.pong as Record<string, unknown>;
    expect(malformed(parseDown, JSON.stringify(pong)).message).toMatch(/serverTime/);
    const { verdict: _v, ...verdict } = downs.verdict as Record<string, unknown>;
    malformed(parseDown, JSON.stringify(verdict));
  });

  it('refuses wrong enums and bad ids', () => {
    malformed(parseDown, JSON.stringify({ ...(downs.refused as object), reason: 'bored' }));
    malformed(parseDown, JSON.stringify({ ...(downs.error as object), code: 'oops' }));
    malformed(parseDown, JSON.stringify({ ...(downs.uploadAck as object), results: [{ scanId: 's 1', status: 'accepted', conflict: null, quarantine: null }] }));
    malformed(parseDown, JSON.stringify({ ...(downs.codeWord as object), eventId: 'ev 1' }));
  });

  it('refuses a message over the size limit', () => {
    const raw = JSON.stringify({ type: 'scans', scans: [], cursor: 0, more: false, pad: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(gkError(() => parseDown(raw)).code).toBe('payload_too_large');
  });
});
