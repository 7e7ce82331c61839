// Every scan of the event this phone knows, in memory, by ticket: what decideAdmission is
// fed offline, and what the history table shows. Own scans and gossip alike; a scan heard
// twice (our upload echoed back by gossip) is kept once. When the server's copy of a scan
// differs from ours (we fell back to an offline verdict while the server was deciding the
// same scan id), the server's copy replaces ours: it is the one every other gate has.
import { arbitrate, compareScans } from '@gatekeeper/shared/admission';
import { isAnnulment } from '@gatekeeper/shared/annul';
import type { Conflict, Scan } from '@gatekeeper/shared/domain';

export class ScanLog {
  #byTicket = new Map<string, Scan[]>();
  #byOrder = new Map<string, Scan[]>();
  #byId = new Map<string, Scan>();
  #recent: Scan[] = [];

  /** Add scans; returns those not known before, and those the server's copy changed. */
  add(scans: Iterable<Scan>, fromServer = false): Scan[] {
    const fresh: Scan[] = [];
    for (const s of scans) {
      const old = this.#byId.get(s.id);
      if (old) {
        if (!fromServer || sameScan(old, s)) continue;
        this.#remove(old);
      }
      this.#byId.set(s.id, s);
      fresh.push(s);
      if (s.ticketId) push(this.#byTicket, s.ticketId, s);
      if (s.orderId) push(this.#byOrder, s.orderId, s);
      insertSorted(this.#recent, s);
    }
    return fresh;
  }

  #remove(s: Scan): void {
    this.#byId.delete(s.id);
    if (s.ticketId) pull(this.#byTicket, s.ticketId, s.id);
    if (s.orderId) pull(this.#byOrder, s.orderId, s.id);
    const i = this.#recent.findIndex((r) => r.id === s.id);
    if (i >= 0) this.#recent.splice(i, 1);
  }

  get(id: string): Scan | null {
    return this.#byId.get(id) ?? null;
  }

  get size(): number {
    return this.#byId.size;
  }

  ofTicket(ticketId: string): readonly Scan[] {
    return this.#byTicket.get(ticketId) ?? [];
  }

  /** Scans naming the order, or any of the given tickets (an order's items), oldest first. */
  ofOrder(orderId: string | null, ticketIds: readonly string[]): Scan[] {
    const out = new Map<string, Scan>();
    if (orderId) for (const s of this.#byOrder.get(orderId) ?? []) out.set(s.id, s);
    for (const t of ticketIds) for (const s of this.#byTicket.get(t) ?? []) out.set(s.id, s);
    return [...out.values()].sort(compareScans);
  }

  /** Newest first. */
  latest(limit: number): Scan[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** Conflicts among the known scans of these tickets, as every node will compute them. */
  conflictsOf(ticketIds: Iterable<string>): Conflict[] {
    const scans: Scan[] = [];
    for (const t of new Set(ticketIds)) scans.push(...this.ofTicket(t));
    return arbitrate(scans).conflicts;
  }

  /**
   * The annulment that counts for this admission, as every node will judge it (arbitrate:
   * not quarantined, stamped after it, the first of several); null when it stands.
   */
  annulmentOf(scanId: string): Scan | null {
    const s = this.#byId.get(scanId);
    if (!s?.ticketId || isAnnulment(s)) return null;
    return arbitrate(this.ofTicket(s.ticketId)).annulments.find((a) => a.annulled.id === scanId)?.annulment ?? null;
  }
}

function push(map: Map<string, Scan[]>, key: string, s: Scan): void {
  const list = map.get(key);
  if (list) list.push(s); else map.set(key, [s]);
}

function pull(map: Map<string, Scan[]>, key: string, id: string): void {
  const list = map.get(key);
  if (!list) return;
  const rest = list.filter((s) => s.id !== id);
  if (rest.length) map.set(key, rest); else map.delete(key);
}

/** Field by field, but for `ignore`: scan records are flat, so this is exact. */
export function sameScan<T extends Scan>(a: T, b: T, ignore: readonly (keyof T)[] = []): boolean {
  const keys = (Object.keys(a) as (keyof T)[]).filter((k) => !ignore.includes(k));
  return Object.keys(a).length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * The server's copy of a scan we hold, as we keep it: the server's, but an own scan keeps
 * the text this phone scanned (the server sends `code: ""`, the text staying on the server),
 * so that it can be uploaded again, and judged again, should the server's database be
 * replaced by one that lacks it (LocalScans.restartCursor).
 */
export function serverCopy<T extends Scan & { own: 0 | 1 }>(ours: T, server: T): T {
  const own = ours.own || server.own ? 1 : 0;
  return { ...server, own, code: own && server.code === '' ? ours.code : server.code };
}

/** Most scans arrive newest: append; a late one (an offline upload) is put in its place. */
function insertSorted(list: Scan[], s: Scan): void {
  if (list.length === 0 || compareScans(list[list.length - 1], s) <= 0) { list.push(s); return; }
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareScans(list[mid], s) <= 0) lo = mid + 1; else hi = mid;
  }
  list.splice(lo, 0, s);
}
