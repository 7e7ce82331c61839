// The docs are part of the interface: another team writes a scanner from docs/protocol.md
// and an admin tool from docs/api.md. These tests read the code's own lists (the Hono
// routes, the zod unions, the enums) and fail when a doc has fallen behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '@gatekeeper/shared/outcomes';
import {
  ErrorCode, GkError, MAX_BATCH, MAX_MESSAGE_BYTES, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, RefusalReason, zDown, zUp,
} from '@gatekeeper/shared/protocol/index';
import { createApp, type AppDeps } from '../../sync-server/src/app.ts';
import { CLOSE } from '../../sync-server/src/hub/hub.ts';
import { DEFAULT_BACKOFF } from '../../scanner-pwa/src/lib/sync/backoff.ts';
import { apiDocRoutes, appRoutes } from '../support/app.ts';

const read = (name: string) => readFileSync(join(process.cwd(), 'docs', name), 'utf8');
const api = read('api.md');
const protocol = read('protocol.md');

/** Routes served outside the API's route table: the socket upgrade (server.ts), the scanner app's fallback and the wallet's page (pwa.ts). */
const OUTSIDE_HONO = ['GET /ws', 'GET /v/:code', 'GET /wallet'];

/** `word` in backticks, as the docs quote every name from the code. */
const quoted = (text: string, word: string | number) => text.includes(`\`${word}\``);

/** The text under a `#### \`name\`` heading, up to the next heading. */
function section(text: string, name: string): string | null {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `#### \`${name}\``);
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const messageTypes = (union: typeof zUp | typeof zDown) => union.options.map((o) => ({ type: o.shape.type.value as string, fields: Object.keys(o.shape) }));

describe('docs/api.md', () => {
  // Routes are registered when the app is built; nothing is called, so no deps are needed.
  const app = createApp({ pwaDir: null } as unknown as AppDeps);
  const documented = apiDocRoutes().map((r) => r.route);

  it('lists every route of the app in its table', () => {
    const missing = appRoutes(app).filter((r) => !documented.includes(r));
    expect(missing, 'routes to add to the table in docs/api.md').toEqual([]);
  });

  it('lists no route the server does not have', () => {
    const stale = documented.filter((r) => !appRoutes(app).includes(r) && !OUTSIDE_HONO.includes(r));
    expect(stale, 'routes in docs/api.md that no longer exist').toEqual([]);
    expect(documented.filter((r, i) => documented.indexOf(r) !== i), 'routes listed twice').toEqual([]);
  });

  it('gives every error code with its HTTP status', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(api, code).toContain(`\`${code}\` ${new GkError(code, '').status}`);
    }
  });

  it('states the body limit', () => {
    expect(api).toContain('Bodies over 1 MiB (`MAX_MESSAGE_BYTES`');
    expect(MAX_MESSAGE_BYTES).toBe(1 << 20);
  });
});

describe('docs/protocol.md', () => {
  it('states the protocol versions the code has', () => {
    expect(Number(/`PROTOCOL_VERSION = (\d+)`/.exec(protocol)?.[1])).toBe(PROTOCOL_VERSION);
    expect(Number(/`MIN_PROTOCOL_VERSION = (\d+)`/.exec(protocol)?.[1])).toBe(MIN_PROTOCOL_VERSION);
    for (let v = 1; v <= PROTOCOL_VERSION; v++) expect(protocol, `history row for version ${v}`).toMatch(new RegExp(`^\\| ${v} \\| `, 'm'));
  });

  it.each([['client → server (zUp)', zUp], ['server → client (zDown)', zDown]] as const)('documents every %s message with every field', (_, union) => {
    const types = messageTypes(union);
    expect(types.length).toBeGreaterThan(0);
    for (const { type, fields } of types) {
      const text = section(protocol, type);
      expect(text, `a "#### \`${type}\`" section`).not.toBeNull();
      for (const field of fields) expect(quoted(text!, field), `field \`${field}\` in the \`${type}\` section`).toBe(true);
    }
  });

  it('names every refusal reason, error code and outcome', () => {
    for (const reason of Object.values(RefusalReason)) expect(quoted(protocol, reason), reason).toBe(true);
    for (const code of Object.values(ErrorCode)) expect(quoted(protocol, code), code).toBe(true);
    for (const outcome of OUTCOMES) expect(quoted(protocol, outcome), outcome).toBe(true);
  });

  it('explains every error code and refusal reason in its table', () => {
    for (const code of Object.values(ErrorCode)) expect(protocol, code).toMatch(new RegExp(`^\\| \`${code}\` \\| `, 'm'));
    for (const reason of Object.values(RefusalReason)) expect(protocol, reason).toMatch(new RegExp(`^\\| \`${reason}\` \\| `, 'm'));
  });

  it('lists every close code of the hub, and the 1009 of oversized frames', () => {
    for (const code of [...Object.values(CLOSE), 1009]) expect(protocol, String(code)).toMatch(new RegExp(`^\\| \`${code}\` \\| `, 'm'));
  });

  it('states the reference scanner’s reconnect delays as the app has them', () => {
    const seconds = (ms: number) => `${ms / 1000} s`;
    expect(protocol).toContain(`the reference scanner: ${seconds(DEFAULT_BACKOFF.baseMs)} doubling to ${seconds(DEFAULT_BACKOFF.capMs)}`);
  });

  it('states the limits the code has', () => {
    expect(protocol).toContain(`\`MAX_MESSAGE_BYTES\` = 1 MiB (${MAX_MESSAGE_BYTES.toLocaleString('en-US')})`);
    expect(protocol).toContain(`\`MAX_BATCH\` = ${MAX_BATCH}`);
  });
});
