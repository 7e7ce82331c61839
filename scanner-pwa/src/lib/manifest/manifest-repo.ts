// Downloading, storing and loading an event's manifest. The rows go to IndexedDB as a few
// JSON chunks of ~20,000 tickets (one record per ticket: ~8 s for 100,000 in Chromium;
// five chunks: tens of ms), deltas as one more chunk each, rewritten into full chunks once
// enough deltas pile up.
import type { EventId } from '@gatekeeper/shared/ids';
import { checkColumns, type Manifest } from '@gatekeeper/shared/manifest';
import type { Api, ManifestChunk, ManifestHeader, Order, Store } from '../ports.ts';
import { ManifestIndex } from './manifest-index.ts';
import { checkRows, type TicketRow } from './ticket-rows.ts';

export const CHUNK_ROWS = 20_000;
/** Delta chunks kept before they are folded into full chunks. */
export const MAX_DELTA_CHUNKS = 8;

export interface LoadedManifest { header: ManifestHeader; index: ManifestIndex }

export interface SyncResult extends LoadedManifest {
  /** Tickets added or changed by this download (all of them for a full download). */
  changed: number;
}

export class ManifestRepo {
  readonly #api: Api;
  readonly #store: Store;
  readonly #now: () => number;

  constructor(api: Api, store: Store, now: () => number = Date.now) {
    this.#api = api;
    this.#store = store;
    this.#now = now;
  }

  /** The stored manifest, indexed; null when this phone has none for the event. */
  async load(eventId: EventId): Promise<LoadedManifest | null> {
    const stored = await this.#store.loadManifest(eventId);
    if (!stored) return null;
    const index = new ManifestIndex(eventId, stored.header.importedCodeKey);
    // Full chunks first, then deltas in the order they arrived: later rows replace earlier.
    const ordered = [...stored.chunks].sort((a, b) => (a.kind === b.kind ? a.seq - b.seq : a.kind === 'full' ? -1 : 1));
    for (const c of ordered) index.apply(JSON.parse(c.tickets) as TicketRow[], JSON.parse(c.orders) as Order[]);
    index.setRevoked(stored.header.revoked);
    return { header: stored.header, index };
  }

  /** Fetch what changed since `current` (everything without it), store it, index it. */
  async sync(eventId: EventId, current: LoadedManifest | null): Promise<SyncResult> {
    const m = await this.#api.manifest(eventId, current?.header.version ?? 0);
    checkColumns(m.columns);
    checkRows(m.tickets);
    const rows = m.tickets as TicketRow[];
    if (!m.delta || !current) return this.#replace(m, rows);

    const index = current.index;
    const revoked = [...new Set([...current.header.revoked, ...m.revoked])];
    const revokedCertificates = [...new Set([...current.header.revokedCertificates ?? [], ...m.revokedCertificates ?? []])];
    index.apply(rows, m.orders);
    index.setRevoked(revoked);
    const header = this.#header(m, index.size, revoked, revokedCertificates);
    if (rows.length === 0 && m.orders.length === 0) {
      await this.#store.saveManifestHeader(header);
      return { header, index, changed: 0 };
    }
    const stored = await this.#store.loadManifest(eventId);
    const chunks = stored?.chunks ?? [];
    const deltas = chunks.filter((c) => c.kind === 'delta').length;
    if (deltas + 1 > MAX_DELTA_CHUNKS) {
      const all = index.snapshot();
      await this.#store.replaceManifest(header, toChunks(eventId, all.rows, all.orders));
    } else {
      const seq = chunks.reduce((max, c) => Math.max(max, c.seq), -1) + 1;
      await this.#store.appendManifest(header, {
        eventId, seq, kind: 'delta', tickets: JSON.stringify(rows), orders: JSON.stringify(m.orders),
      });
    }
    return { header, index, changed: rows.length };
  }

  async #replace(m: Manifest, rows: TicketRow[]): Promise<SyncResult> {
    const eventId = m.event.id;
    const index = new ManifestIndex(eventId, m.importedCodeKey);
    index.apply(rows, m.orders);
    index.setRevoked(m.revoked);
    const header = this.#header(m, index.size, m.revoked, m.revokedCertificates ?? []);
    await this.#store.replaceManifest(header, toChunks(eventId, rows, m.orders));
    return { header, index, changed: rows.length };
  }

  #header(m: Manifest, ticketCount: number, revoked: ManifestHeader['revoked'], revokedCertificates: string[]): ManifestHeader {
    return {
      eventId: m.event.id, event: m.event, version: m.version, checkpoints: m.checkpoints,
      publicKeys: m.publicKeys, staff: m.staff, devices: m.devices, codeWord: m.codeWord, importedCodeKey: m.importedCodeKey, revoked,
      revokedCertificates, rotatingLeewayMs: m.rotatingLeewayMs ?? 0, verifiedDeviceOnly: m.verifiedDeviceOnly ?? false,
      syncedAt: this.#now(), ticketCount,
    };
  }
}

function toChunks(eventId: EventId, rows: readonly TicketRow[], orders: readonly Order[]): ManifestChunk[] {
  const chunks: ManifestChunk[] = [];
  for (let i = 0, seq = 0; i < Math.max(rows.length, 1); i += CHUNK_ROWS, seq++) {
    chunks.push({
      eventId, seq, kind: 'full',
      tickets: JSON.stringify(rows.slice(i, i + CHUNK_ROWS)),
      // Orders are few and small beside tickets: they ride in the first chunk.
      orders: seq === 0 ? JSON.stringify(orders) : '[]',
    });
  }
  return chunks;
}
