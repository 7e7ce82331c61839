// One valid message of every type, each direction: what the protocol tests parse, and what
// the JSON Schema document is checked against.
import type { Scan } from '@gatekeeper/shared/domain';
import { PROTOCOL_VERSION, type Down, type Up } from '@gatekeeper/shared/protocol/index';

export const scan: Scan = {
  id: 's-1' as Scan['id'], eventId: 'ev1' as Scan['eventId'], ticketId: 'T1' as Scan['ticketId'], orderId: null,
  code: 'GK1:abc', checkpointId: 'cp-main' as Scan['checkpointId'], zone: 'main', mode: 'once_per_event',
  direction: 'entry', deviceId: 'dev-a' as Scan['deviceId'], inspectorId: 'insp-1' as Scan['inspectorId'],
  hlc: '001718000000000:0000', at: 1_718_000_000_000, clockOffset: -120, outcome: 'valid', offline: true, idChecked: false,
};
const { outcome: _o, offline: _f, ...request } = scan;
export const scanRequest = request;
export const summary = { scanId: 's-1', at: 1, checkpointId: 'cp-main', inspectorId: 'insp-1', deviceId: 'dev-a', outcome: 'valid', offline: false };
export const conflict = { eventId: 'ev1', ticketId: 'T1', scope: 'event', winner: summary, loser: { ...summary, scanId: 's-2', offline: true } };

export const ups: Record<Up['type'], unknown> = {
  hello: { type: 'hello', v: PROTOCOL_VERSION, eventId: 'ev1', deviceId: 'dev-a', checkpointId: 'cp-main', cursor: 12, logId: '5c1d0e7f9a2b4c6d8e0f1a2b3c4d5e6f',
    report: { appVersion: '1.0.0', clockOffsetMs: -120, waiting: 3 } },
  scan: { type: 'scan', scan: scanRequest },
  upload: { type: 'upload', batchId: 'b1', scans: [scan] },
  catchup: { type: 'catchup', cursor: 0 },
  ping: { type: 'ping', id: 1, clientTime: 1_718_000_000_000, report: { appVersion: '1.0.0', clockOffsetMs: null, waiting: 0 } },
  liveSubscribe: { type: 'liveSubscribe' },
};

const counts = {
  checkpoints: [{ checkpointId: 'cp-main', admitted: 3 }], zones: [{ zone: 'vip', inside: 1 }],
  minutes: [{ checkpointId: 'cp-main', minute: 1_717_999_980_000, entries: 3 }], outcomes: [{ outcome: 'already_used', count: 2 }],
};

export const downs: Record<Down['type'], unknown> = {
  welcome: {
    type: 'welcome', v: PROTOCOL_VERSION, serverTime: 1_718_000_000_000,
    inspector: { id: 'insp-1', name: 'Ada', role: 'inspector' }, eventId: 'ev1', codeWord: 'heron', cursor: 12,
    logId: '5c1d0e7f9a2b4c6d8e0f1a2b3c4d5e6f',
  },
  refused: { type: 'refused', reason: 'clientTooOld', message: 'update the app', minVersion: 2, maxVersion: 3 },
  verdict: {
    type: 'verdict', scanId: 's-1', status: 'accepted', scan: { ...scan, offline: false }, cursor: 13,
    verdict: { outcome: 'already_used', offline: false, ticketId: 'T1', firstScan: summary, reason: { kind: 'already_used', at: 1, checkpointId: 'cp-main', here: true, zone: 'main', mode: 'once_per_event' } },
  },
  uploadAck: { type: 'uploadAck', batchId: 'b1', results: [{ scanId: 's-1', status: 'conflict', conflict, quarantine: null }, { scanId: 's-3', status: 'duplicate', conflict: null, quarantine: 'unknown_checkpoint' }] },
  scans: { type: 'scans', scans: [scan], cursor: 13, more: false },
  conflict: { type: 'conflict', conflict },
  pong: { type: 'pong', id: 1, clientTime: 1_718_000_000_000, serverTime: 1_718_000_000_050 },
  codeWord: { type: 'codeWord', eventId: 'ev1', codeWord: null },
  ticketsChanged: { type: 'ticketsChanged', eventId: 'ev1', version: 42 },
  checkpointsChanged: { type: 'checkpointsChanged', eventId: 'ev1' },
  error: { type: 'error', code: 'rate_limited', message: 'slow down', ref: 'b1', retryAfterMs: 5000 },
  live: { type: 'live', snapshot: { eventId: 'ev1', cursor: 13, ticketsSold: 100, admitted: 3, quarantined: 1, ...counts } },
  liveDelta: {
    type: 'liveDelta',
    delta: { eventId: 'ev1', cursor: 14, admitted: 4, ...counts, quarantine: [{ seq: 14, receivedAt: 1_718_000_000_100, reason: 'unknown_checkpoint', scan: { ...scan, code: '', quarantine: 'unknown_checkpoint' } }] },
  },
  liveAlert: { type: 'liveAlert', alert: { id: 1, eventId: 'ev1', deviceId: 'dev-a', inspectorId: 'insp-1', kind: 'rate_limited', message: 'over its limit', at: 1_718_000_000_000 } },
  conflictReviewed: { type: 'conflictReviewed', eventId: 'ev1', conflictId: 's-2', review: { by: 'sup-1', byName: 'Sam', at: 1_718_000_000_000, note: 'same person, re-entry' } },
};
