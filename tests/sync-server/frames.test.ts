// How a message goes on the wire: text for everyone, except a big `scans` message to a
// client that reads deflate-raw; each encoding made once however many sockets take it.
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import type { Down } from '@gatekeeper/shared/protocol/index';
import { DEFLATE_MIN_BYTES, OutgoingMessage } from '../../sync-server/src/hub/frames.ts';
import { messageForPhones } from '../../sync-server/src/scans/for-phones.ts';
import { downs, scan as sampleScan } from '../shared/protocol-samples.ts';

const scansMessage = (n: number): Down => {
  const scans: Scan[] = Array.from({ length: n }, (_, i) => ({ ...sampleScan, id: `${sampleScan.id}-${i}` }) as Scan);
  return { type: 'scans', scans, cursor: 99, more: false };
};

describe('OutgoingMessage', () => {
  it('gives a deflate reader a binary frame that inflates to the JSON, and anyone else that JSON as text', () => {
    const msg = scansMessage(30);
    const out = new OutgoingMessage(msg);
    const packed = out.frame(true);
    const text = out.frame(false);
    expect(packed.binary).toBe(true);
    expect(text.binary).toBe(false);
    // Scans go to phones without their code (scans/for-phones.ts).
    const sent = messageForPhones(msg);
    expect(JSON.parse(inflateRawSync(packed.data as Buffer).toString())).toEqual(sent);
    expect(JSON.parse(String(text.data))).toEqual(sent);
    expect((packed.data as Buffer).length * 4).toBeLessThan((text.data as Buffer).length);
  });

  it('encodes each kind once, whatever the number of sockets', () => {
    const out = new OutgoingMessage(scansMessage(30));
    expect(out.frame(true)).toBe(out.frame(true));
    expect(out.frame(false)).toBe(out.frame(false));
  });

  it('sends a small scans message and every other type as text even to a deflate reader', () => {
    const small = new OutgoingMessage(scansMessage(1));
    expect(JSON.stringify(small.msg).length).toBeLessThan(DEFLATE_MIN_BYTES);
    expect(small.frame(true).binary).toBe(false);
    for (const msg of Object.values(downs) as Down[]) {
      if (msg.type === 'scans') continue;
      expect(new OutgoingMessage(msg).frame(true).binary, msg.type).toBe(false);
    }
  });
});
