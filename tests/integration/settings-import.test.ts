// Ticket import from the console's settings against a real server: a file with another
// system's column names, previewed through a mapping (nothing written), the mapping saved
// and used again by id for the next file, each import and save audited; who may; and
// hostile files answered with a typed error, nothing imported.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zImportPreviewReply } from '@gatekeeper/shared/api/imports';
import { ticketId } from '@gatekeeper/shared/ids';
import { DEMO_EVENT } from '../support/server.ts';
import { settingsWorld, type SettingsWorld } from './settings-support.ts';
import { auditOldestFirst } from '../support/audit.ts';

let w: SettingsWorld;
beforeAll(async () => { w = await settingsWorld(); });
afterAll(async () => { await w?.server.close(); });

const path = (rest: string) => `/api/events/${DEMO_EVENT}${rest}`;
const CSV = { 'content-type': 'text/csv' };
const MAPPING = [
  { from: 'Barcode', to: 'ticket_id' }, { from: 'Category', to: 'type' }, { from: 'Guest name', to: 'holder_name' }, { from: 'Sales channel', to: null },
];
const file = (prefix: string) => `Barcode,Category,Guest name,Sales channel\n${prefix}-1,Adult,Ann Smit,web\n${prefix}-2,Child,Bo Smit,box office\n`;
const columns = `columns=${encodeURIComponent(JSON.stringify(MAPPING))}`;

describe('an import through a column mapping', () => {
  it('is previewed through an unsaved mapping, writing nothing', async () => {
    const r = await w.admin.request('POST', path(`/import?preview=1&${columns}`), file('PRV'), CSV);
    expect(r.status).toBe(200);
    const p = zImportPreviewReply.parse(r.json);
    expect(p).toMatchObject({ format: 'csv', header: ['Barcode', 'Category', 'Guest name', 'Sales channel'], mapped: ['ticket_id', 'type', 'holder_name', null], tickets: 2, orders: 0, errors: [] });
    expect(p.sample.map((t) => [t.id, t.type, t.holderName, t.hasImportedCode])).toEqual([['PRV-1', 'Adult', 'Ann Smit', false], ['PRV-2', 'Child', 'Bo Smit', false]]);
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('PRV-1'))).toBeNull();
  });

  it('a mapping saved once is listed and imports the next file by its id; both are audited', async () => {
    const saved = await w.admin.request('PUT', path('/import/mappings/box-office'), { name: 'Box office export', columns: MAPPING });
    expect(saved.status).toBe(200);
    expect(saved.json.mapping).toMatchObject({ id: 'box-office', name: 'Box office export', columns: MAPPING, updatedBy: 'i-admin' });
    const listed = await w.admin.request('GET', path('/import/mappings'));
    expect(listed.json.mappings.map((m: { id: string }) => m.id)).toEqual(['box-office']);

    const r = await w.admin.request('POST', path('/import?mapping=box-office'), file('MAP'), CSV);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ orders: 0, tickets: 2 });
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('MAP-2'))).toMatchObject({ type: 'Child', holderName: 'Bo Smit' });

    const audit = await auditOldestFirst(w.server.storage, DEMO_EVENT);
    expect(audit.map((a) => a.action)).toEqual(['import_mapping.save', 'tickets.import']);
    expect(audit[0]).toMatchObject({ actor: 'i-admin', target: 'box-office', before: null, after: { name: 'Box office export', columns: MAPPING } });
    expect(audit[1]).toMatchObject({ actor: 'i-admin', target: DEMO_EVENT, before: null, after: { tickets: 2, orders: 0, format: 'csv', mapping: 'box-office' } });

    // Saved again under the same id: replaced, and the audit keeps what it was.
    const renamed = await w.admin.request('PUT', path('/import/mappings/box-office'), { name: 'Box office (2026)', columns: MAPPING });
    expect(renamed.status).toBe(200);
    const last = (await auditOldestFirst(w.server.storage, DEMO_EVENT)).at(-1)!;
    expect(last).toMatchObject({ action: 'import_mapping.save', before: { name: 'Box office export' }, after: { name: 'Box office (2026)' } });
  });

  it('without the mapping, the same file is refused with the foreign columns named, and nothing is imported', async () => {
    const r = await w.admin.request('POST', path('/import'), file('RAW'), CSV);
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('invalid_import');
    expect(r.json.error.details[0].message).toMatch(/^unknown columns Barcode, Category, Guest name, Sales channel/);
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('RAW-1'))).toBeNull();
  });
});

describe('who may import and map', () => {
  it('refuses an inspector, a supervisor, and a supervisor of another event: 403, nothing written or audited', async () => {
    const count = (await auditOldestFirst(w.server.storage, DEMO_EVENT)).length;
    for (const who of [w.inspector, w.supervisor, w.stranger]) {
      for (const [method, p, body, headers] of [
        ['POST', path(`/import?${columns}`), file('NO'), CSV],
        ['POST', path(`/import?preview=1&${columns}`), file('NO'), CSV],
        ['GET', path('/import/mappings'), undefined, {}],
        ['PUT', path('/import/mappings/sneaky'), { name: 'x', columns: MAPPING }, {}],
      ] as const) {
        const r = await who.request(method, p, body, headers);
        expect(r.status, `${who.inspector?.name} ${method} ${p}`).toBe(403);
        expect(r.json.error.code).toBe('forbidden');
      }
    }
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('NO-1'))).toBeNull();
    expect(await w.server.storage.listImportMappings(DEMO_EVENT)).toHaveLength(1);
    expect(await auditOldestFirst(w.server.storage, DEMO_EVENT)).toHaveLength(count);
  });
});

describe('hostile files and mappings', () => {
  it('a file over the import limit is refused payload_too_large (413) from its declared length, before it is read', async () => {
    // Raw HTTP: the server answers as soon as it reads the length and does not wait for the
    // 65 MiB (a client still sending them, such as fetch, sees the connection reset).
    const { port } = new URL(w.server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write([
          `POST ${path('/import?mapping=box-office')} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Cookie: ${w.admin.cookie}`,
          'Content-Type: text/csv', `Content-Length: ${65 * 1024 * 1024}`, 'Connection: close', '', 'Barcode,Category\n',
        ].join('\r\n'));
      });
      let text = '';
      socket.on('data', (d) => { text += d.toString('utf8'); if (text.includes('payload_too_large')) { socket.destroy(); resolve(text); } });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"payload_too_large"');
  });

  it('a quote never closed, a row too long, and JSON that is not JSON are invalid_import with the row, nothing imported', async () => {
    const unclosed = await w.admin.request('POST', path('/import?mapping=box-office'), 'Barcode,Category\nQ-1,Adult\n"Q-2,Adult\nQ-3,Adult\n', CSV);
    expect(unclosed.status).toBe(422);
    expect(unclosed.json.error).toMatchObject({ code: 'invalid_import', details: [{ row: 3, message: expect.stringMatching(/^unterminated quoted field/) }] });
    const long = await w.admin.request('POST', path('/import?mapping=box-office'), `Barcode,Category\nL-1,${'A'.repeat(70 * 1024)}\n`, CSV);
    expect(long.json.error).toMatchObject({ code: 'invalid_import', details: [{ row: 2, message: expect.stringMatching(/longer than 64 KiB/) }] });
    const json = await w.admin.request('POST', path('/import'), '{"tickets": [', { 'content-type': 'application/json' });
    expect(json.json.error).toMatchObject({ code: 'invalid_import', details: [{ row: 0, message: expect.stringMatching(/^not valid JSON/) }] });
    // The preview says the same, with 200, so the console can list it.
    const preview = await w.admin.request('POST', path('/import?preview=1&mapping=box-office'), 'Barcode,Category\n"Q-2,Adult\n', CSV);
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ tickets: 0, errors: [{ row: 2, message: expect.stringMatching(/^unterminated/) }] });
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('Q-1'))).toBeNull();
  });

  it('a mapping that is not JSON, names a column we do not have, fills one of ours twice, or is too long is bad_request', async () => {
    const bad = [
      'columns=%7Bnot-json',
      `columns=${encodeURIComponent(JSON.stringify([{ from: 'Barcode', to: 'password' }]))}`,
      `columns=${encodeURIComponent(JSON.stringify([{ from: 'Barcode', to: 'ticket_id' }, { from: 'Category', to: 'ticket_id' }]))}`,
      `columns=${encodeURIComponent(JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ from: `c${i}`, to: null }))))}`,
      'mapping=..%2F..%2Fetc',
    ];
    for (const q of bad) {
      const r = await w.admin.request('POST', path(`/import?${q}`), file('BAD'), CSV);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code).toBe('bad_request');
    }
    const unknown = await w.admin.request('POST', path('/import?mapping=nobody-saved-this'), file('BAD'), CSV);
    expect(unknown.status).toBe(404);
    const twice = await w.admin.request('PUT', path('/import/mappings/twice'), { name: 'Twice', columns: [{ from: 'A', to: 'type' }, { from: 'B', to: 'type' }] });
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/type is filled from both "A" and "B"/);
    expect(await w.server.storage.getTicket(DEMO_EVENT, ticketId('BAD-1'))).toBeNull();
  });
});
