// What phones get of a stored scan: everything but the scanned text. The server keeps the
// code as evidence (supervisors read it in the history); every inspector's phone used to
// receive every code by gossip, and a signed code is a working ticket: harvested from a
// phone, it could be printed and used again wherever an earlier scan is not known
// (pass-back). Phones decide by ticketId, orderId and the rest, never by the code of a
// scan they did not make.
//
// And what a phone of an older protocol version parses: a quarantine reason newer than it
// becomes the nearest one it knows (protocol/scans.ts quarantineForVersion).
import type { Scan } from '@gatekeeper/shared/domain';
import type { Down } from '@gatekeeper/shared/protocol/index';
import { quarantineForVersion, quarantineSince } from '@gatekeeper/shared/protocol/scans';
import { PROTOCOL_VERSION } from '@gatekeeper/shared/protocol/version';

export const scanForPhones = (scan: Scan, version: number = PROTOCOL_VERSION): Scan => {
  const marked = scan.quarantine === undefined ? scan.quarantine : quarantineForVersion(scan.quarantine, version);
  return scan.code === '' && marked === scan.quarantine ? scan : { ...scan, code: '', ...(marked === undefined ? {} : { quarantine: marked }) };
};

/** A message as it goes to a phone of `version`: scans without their code, reasons it parses. */
export function messageForPhones(msg: Down, version: number = PROTOCOL_VERSION): Down {
  const scan = (s: Scan) => scanForPhones(s, version);
  if (msg.type === 'scans') return { ...msg, scans: msg.scans.map(scan) };
  if (msg.type === 'verdict') return { ...msg, scan: scan(msg.scan) };
  if (msg.type === 'uploadAck' && version < PROTOCOL_VERSION) {
    return { ...msg, results: msg.results.map((r) => (r.quarantine === null ? r : { ...r, quarantine: quarantineForVersion(r.quarantine, version) })) };
  }
  if (msg.type === 'liveDelta') {
    return { ...msg, delta: { ...msg.delta, quarantine: msg.delta.quarantine.map((q) => ({ ...q, reason: quarantineForVersion(q.reason, version), scan: scan(q.scan) })) } };
  }
  return msg;
}

/** The oldest version that reads `msg` as the newest does: older ones need a copy of their own. */
export function versionNeeded(msg: Down): number {
  let need = 1;
  const see = (s: Scan) => { if (s.quarantine !== undefined) need = Math.max(need, quarantineSince(s.quarantine)); };
  if (msg.type === 'scans') msg.scans.forEach(see);
  else if (msg.type === 'verdict') see(msg.scan);
  else if (msg.type === 'uploadAck') for (const r of msg.results) { if (r.quarantine !== null) need = Math.max(need, quarantineSince(r.quarantine)); }
  else if (msg.type === 'liveDelta') for (const q of msg.delta.quarantine) { see(q.scan); need = Math.max(need, quarantineSince(q.reason)); }
  return need;
}
