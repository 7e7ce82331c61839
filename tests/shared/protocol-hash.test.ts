// A wire change without a version bump fails here. Old clients keep talking to the new
// server (the server refuses only below MIN_PROTOCOL_VERSION), so a schema that changed
// silently is a schema that some phone at some gate still speaks the old way.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROTOCOL_VERSION, zDown, zUp } from '@gatekeeper/shared/protocol/index';

/**
 * The hash of both direction unions, one line per protocol version. A zod upgrade that
 * only reformats its JSON Schema output changes the hash too: then re-record it under the
 * same version and say so in the commit.
 */
const HASHES: Record<number, string> = {
  1: 'c6ca36826a3e48c4705f7f023c79eee185ac316771aedfbf52d7706c71fcc1ad',
  2: '7e7846e50f8f0c76013acff9fa7fd7f34a915a6435b5aa60d46ed725ecf83b5d',
  3: '4b2739cd432c28f8810910d18c1bdb06d424f11abb177a8ee49ef24636216604',
  4: 'a9be5d84ac542a4ecfd07412f434726ff24f4bad03cf9ab47b40a4c80317fdce',
  5: '77dc961438951ebc010b143ad45566925f23ad1b38e2c1bbe32152c58b059534',
  6: '3d0394b8e8162fb11ef76fe7269e04a60757fdb468e4c593f32bbf36710704e7',
  7: '4d16ddfb24d6d4b90270047744656c4ecea093f4fc8e894de39bfde20570036c',
  8: '1e5de091740e58da81e08ce46e83c78aebd8d63eb33d65b482032f5190176bfe',
  9: '7f2465378c923c139a49e356d9f06eacc71689ecc7c66adf499a379923fc20f5',
  10: '3e349bd891b5ef9991ab68ce4bcd7b34fd8829ae503fe11223a4f0194a286466',
  11: '5d755ff31d7e0ef99a69b728395059cf523c1ee0766ccdc1af1f19f00bc55d97',
  12: '43271d7245cca69fbc36732368c0749151b774daad925fc9854321bc9eb13087',
  13: '88f0f2b59ad9458ce1c661900f3026b911effefb7c128e3db4f457fa919900fc',
  14: 'e04d926500770bb88f9acea6885721ee0fa94bac134ac1ec3f09b90558b40908',
  15: '076a1a117bf88abc843f67773f7a66c03d881c66afa75bd81dcb7d68a3f68e82',
};

/**
 * `io: 'input'`: ids are parsed with a `.transform` into their brands, which JSON Schema
 * cannot express; the input side is what travels on the wire, which is what we pin.
 */
const wireSchemas = () => [JSON.stringify(z.toJSONSchema(zUp, { io: 'input' })), JSON.stringify(z.toJSONSchema(zDown, { io: 'input' }))] as const;

function wireHash(): string {
  const [up, down] = wireSchemas();
  return createHash('sha256').update(up).update('\n').update(down).digest('hex');
}

describe('wire schema hash', () => {
  it('matches the hash recorded for PROTOCOL_VERSION', () => {
    const actual = wireHash();
    const recorded = HASHES[PROTOCOL_VERSION];
    expect(
      actual,
      `the wire schemas changed: bump PROTOCOL_VERSION in shared/src/protocol/version.ts, add a history line, and record the new hash here (PROTOCOL_VERSION ${PROTOCOL_VERSION}: '${actual}')`,
    ).toBe(recorded);
  });

  it('is stable across runs (no dates, no random ids in the schema output)', () => {
    expect(wireHash()).toBe(wireHash());
  });

  it('sees into nested schemas, so a change deep inside a scan changes the hash', () => {
    const [up, down] = wireSchemas();
    for (const needle of ['"hlc"', '\\\\d{15}:[0-9a-f]{4}', '"clockOffset"', '"idChecked"', '"once_per_zone"', '"already_used"']) {
      expect(up, needle).toContain(needle);
    }
    for (const needle of ['"uploadAck"', '"clientTooOld"', '"firstScan"', '"payload_too_large"']) expect(down, needle).toContain(needle);
  });

  it('has one hash per version, each different', () => {
    const hashes = Object.values(HASHES);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
