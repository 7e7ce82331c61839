// What phones get of a stored scan: everything but the scanned text. The server keeps the
// code as evidence (supervisors read it in the history); every inspector's phone used to
// receive every code by gossip, and a signed code is a working ticket: harvested from a
// phone, it could be printed and used again wherever an earlier scan is not known
// (pass-back). Phones decide by ticketId, orderId and the rest, never by the code of a
// scan they did not make.
import type { Scan } from '@gatekeeper/shared/domain';
import type { Down } from '@gatekeeper/shared/protocol/index';

export const scanForPhones = (scan: Scan): Scan => (scan.code === '' ? scan : { ...scan, code: '' });

/** A message as it goes to a phone: scans without their code. */
export function messageForPhones(msg: Down): Down {
  if (msg.type === 'scans') return { ...msg, scans: msg.scans.map(scanForPhones) };
  if (msg.type === 'verdict') return { ...msg, scan: scanForPhones(msg.scan) };
  if (msg.type === 'liveDelta') return { ...msg, delta: { ...msg.delta, quarantine: msg.delta.quarantine.map((q) => ({ ...q, scan: scanForPhones(q.scan) })) } };
  return msg;
}
