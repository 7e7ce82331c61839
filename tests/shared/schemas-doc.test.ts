// docs/schemas.json is what another team reads: it must be the schemas the code parses
// with (regenerated, byte for byte), and a JSON Schema validator must agree with our own
// parsers on real messages, good and bad.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDown, parseUp } from '@gatekeeper/shared/protocol/index';
import { SCHEMAS_FILE, schemasDocument } from '../../scripts/schemas.ts';
import { downs, scan, ups } from './protocol-samples.ts';

const doc = JSON.parse(readFileSync(SCHEMAS_FILE, 'utf8')) as { $defs: Record<string, object> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ ...doc, $id: 'gk' });
const valid = (def: string, value: unknown) => ajv.validate({ $ref: `gk#/$defs/${def}` }, value);

describe('docs/schemas.json', () => {
  it('is the file scripts/schemas.ts writes from the schemas today (run `npx tsx scripts/schemas.ts` after a change)', () => {
    expect(readFileSync(SCHEMAS_FILE, 'utf8')).toBe(schemasDocument());
  });

  it.each(Object.entries(ups))('accepts the %s message our parser accepts', (_type, msg) => {
    parseUp(JSON.stringify(msg));
    expect(valid('Up', msg), ajv.errorsText()).toBe(true);
  });

  it.each(Object.entries(downs))('accepts the %s message our parser accepts', (_type, msg) => {
    parseDown(JSON.stringify(msg));
    expect(valid('Down', msg), ajv.errorsText()).toBe(true);
  });

  it('refuses what our parsers refuse: a missing field, a bad id, a wrong direction, an unknown type', () => {
    const { cursor: _c, ...noCursor } = ups.hello as Record<string, unknown>;
    for (const bad of [noCursor, { ...(ups.hello as object), deviceId: 'dev a' }, downs.pong, { type: 'teleport' }]) {
      expect(() => parseUp(JSON.stringify(bad))).toThrow();
      expect(valid('Up', bad)).toBe(false);
    }
    expect(valid('Scan', scan)).toBe(true);
    expect(valid('Scan', { ...scan, outcome: 'maybe' })).toBe(false);
  });
});
