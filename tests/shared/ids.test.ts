import { describe, expect, it } from 'vitest';
import {
  checkpointId, deviceId, eventId, IdError, inspectorId, isId, newId, orderId, scanId, ticketId, zId,
  type TicketId,
} from '@gatekeeper/shared/ids';

const parsers = { eventId, ticketId, orderId, checkpointId, deviceId, scanId, inspectorId };

const GOOD = ['a', 'T1', 'ev-2025.main', 'dev_01', 'ord:9', '0', 'A'.repeat(64), '1030-Padd-Oxford'];
// Spaces, control characters and leading punctuation: all things a CSV or a QR reader mangles.
const BAD: unknown[] = [
  '', ' a', 'a b', 'a\n', '-lead', '.lead', '_lead', 'A'.repeat(65), 'tab\there', 'é', 'a/b', 'a,b', 'a"b',
  42, null, undefined, {}, ['a'],
];

describe.each(Object.entries(parsers))('%s', (_name, parse) => {
  it('accepts short printable tokens and returns them unchanged', () => {
    for (const s of GOOD) expect(parse(s)).toBe(s);
  });

  it('rejects anything else with an IdError naming the kind', () => {
    for (const v of BAD) expect(() => parse(v), JSON.stringify(v)).toThrow(IdError);
  });
});

describe('ids', () => {
  it('names the kind and the value in the error', () => {
    expect(() => ticketId('a b')).toThrow('not a valid ticket id: "a b"');
  });

  it('keeps a huge bad value out of the message', () => {
    try { scanId('x '.repeat(10_000)); expect.unreachable(); } catch (e) {
      expect((e as Error).message.length).toBeLessThan(120);
    }
  });

  it('isId agrees with the parsers', () => {
    for (const s of GOOD) expect(isId(s)).toBe(true);
    for (const v of BAD) expect(isId(v)).toBe(false);
  });

  it('zId parses into the branded type and refuses bad ids', () => {
    const schema = zId<TicketId>();
    const ok: TicketId = schema.parse('T-1');
    expect(ok).toBe('T-1');
    expect(schema.safeParse('T 1').success).toBe(false);
  });

  it('newId makes fresh valid ids with the prefix', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = newId('s-');
      expect(id).toMatch(/^s-[0-9a-f]{24}$/);
      expect(isId(id)).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });
});
