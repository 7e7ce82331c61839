// What a phone had heard by each gossip or catch-up message, with that message's cursor:
// a cursor told to a phone must cover every scan stored up to it, since a phone that drops
// off after that message resumes from it and never looks below it again.
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { StoredScan } from '../../sync-server/src/storage/types.ts';

export function heardByCursor(received: readonly Down[]): Array<{ cursor: number; heard: Set<string> }> {
  const heard = new Set<string>();
  const out: Array<{ cursor: number; heard: Set<string> }> = [];
  for (const m of received) {
    if (m.type !== 'scans') continue;
    for (const s of m.scans) heard.add(s.id);
    out.push({ cursor: m.cursor, heard: new Set(heard) });
  }
  return out;
}

/** For each message whose cursor passed a stored scan the phone had not heard by then: the cursor and those scans' numbers. */
export function skippedScans(received: readonly Down[], stored: readonly StoredScan[]): Array<{ cursor: number; skipped: number[] }> {
  return heardByCursor(received)
    .map(({ cursor, heard }) => ({ cursor, skipped: stored.filter((s) => s.seq <= cursor && !heard.has(s.scan.id)).map((s) => s.seq) }))
    .filter((x) => x.skipped.length > 0);
}
