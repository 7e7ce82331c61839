// Imported barcodes reach the phone only as keyed hashes (and buyers without e-mail):
// the phone hashes what it scans, finds the ticket, and decides offline as before.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Order, Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, ticketToRow, toManifestOrder, type Manifest } from '@gatekeeper/shared/manifest';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { ManifestRepo } from '../../scanner-pwa/src/lib/manifest/manifest-repo.ts';
import type { Api } from '../../scanner-pwa/src/lib/ports.ts';
import { makeScan } from '../support/factories.ts';

const EVENT = 'imp-event' as EventId;
const KEY = 'c2VjcmV0LWtleS1vZi10aGlzLWV2ZW50LTMyLWJ5dGU';
const CODE = 'EAN-4006381333931';
const ticket: Ticket = {
  id: 'IMP-1' as TicketId, eventId: EVENT, orderId: 'O-1' as OrderId, type: 'Adult', holderName: null, seat: null,
  kind: 'event', eTicket: false, status: 'paid', validFrom: null, validUntil: null, idCheck: false, importedCode: CODE,
};
const order: Order = { id: 'O-1' as OrderId, eventId: EVENT, buyerName: 'Fay Import', email: 'fay@example.com' };
const gate: Checkpoint = { id: 'main-gate', eventId: EVENT, name: 'Main gate', zone: 'grounds', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null } as Checkpoint;

/** The manifest as the server builds it (routes/events.ts): hashed codes, no e-mail. */
const manifest: Manifest = {
  event: { id: EVENT, name: 'Imported', venue: null, startsAt: null, endsAt: null, timeZone: 'UTC' },
  version: 1, delta: false, checkpoints: [gate], publicKeys: [], staff: [], devices: [], codeWord: null,
  importedCodeKey: KEY, orders: [toManifestOrder(order)], columns: [...TICKET_COLUMNS],
  tickets: [ticketToRow(ticket, importedCodeHasher(KEY))], revoked: [],
};
const api = { manifest: async () => structuredClone(manifest) } as unknown as Api;

const opened: GatekeeperDb[] = [];
afterEach(async () => { for (const db of opened.splice(0)) await db.delete(); });
function store(): DexieStore {
  const db = new GatekeeperDb(`imp-${Math.random()}`);
  opened.push(db);
  return new DexieStore(db);
}

describe('imported barcodes on the phone', () => {
  it('are stored hashed, and a scan of the printed barcode finds the ticket after a reload', async () => {
    const s = store();
    await new ManifestRepo(api, s).sync(EVENT, null);
    const stored = JSON.stringify(await s.db.chunks.toArray());
    expect(stored).not.toContain(CODE);
    expect(stored).not.toContain('fay@example.com');

    const loaded = await new ManifestRepo(api, s).load(EVENT);
    const found = loaded!.index.byImportedCode(CODE);
    expect(found?.id).toBe('IMP-1');
    expect(loaded!.index.byImportedCode('EAN-4006381333932')).toBeNull();
    expect(loaded!.index.byImportedCode(loaded!.header.importedCodeKey)).toBeNull();
    expect(loaded!.index.order('O-1')).toEqual({ id: 'O-1', eventId: EVENT, buyerName: 'Fay Import' });
  });

  it('decide offline as before: admitted once, then already used', async () => {
    const { index } = await new ManifestRepo(api, store()).sync(EVENT, null);
    const found = index.byImportedCode(CODE)!;
    const req = { direction: 'entry' as const, idChecked: false, offline: true };
    expect(decideAdmission(found, gate, [], Date.now(), req).outcome).toBe('valid');
    const first = makeScan({ eventId: EVENT, ticketId: found.id, orderId: found.orderId, code: CODE, checkpointId: gate.id, at: 1000 });
    expect(decideAdmission(found, gate, [first], Date.now(), req).outcome).toBe('already_used');
  });

  it('a phone upgrading from schema 1 drops its stored manifests (they held codes and e-mails in clear)', async () => {
    const name = `imp-up-${Math.random()}`;
    const { default: Dexie } = await import('dexie');
    const v1 = new Dexie(name);
    v1.version(1).stores({ meta: 'key', manifests: 'eventId', chunks: '[eventId+seq]', scans: 'id, uploaded, [eventId+uploaded], [eventId+hlc]' });
    await v1.table('manifests').put({ eventId: EVENT, version: 1 });
    await v1.table('chunks').put({ eventId: EVENT, seq: 0, kind: 'full', tickets: `[["IMP-1",null,"A",null,null,"event",false,"paid",null,null,false,"${CODE}"]]`, orders: '[{"email":"fay@example.com"}]' });
    await v1.table('meta').put({ key: 'deviceId', value: 'd-1' });
    v1.close();
    const db = new GatekeeperDb(name);
    opened.push(db);
    expect(await db.chunks.count()).toBe(0);
    expect(await db.manifests.count()).toBe(0);
    expect(await db.meta.get('deviceId')).toEqual({ key: 'deviceId', value: 'd-1' });
  });
});
