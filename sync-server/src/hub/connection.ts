// One scanner's socket after the handshake: who it is, which event, and its gossip state.
import type { WebSocket } from 'ws';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { StaffRecord } from '../storage/types.ts';

export class Connection {
  /** While catching up, gossip is held back so the cursor the client keeps never skips a scan. */
  catchingUp = false;
  readonly held: Down[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly staff: StaffRecord,
    readonly deviceId: DeviceId,
    readonly eventId: EventId,
  ) {}

  send(msg: Down): void {
    if (this.catchingUp && (msg.type === 'scans' || msg.type === 'conflict')) { this.held.push(msg); return; }
    this.sendNow(msg);
  }

  sendNow(msg: Down): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  releaseHeld(): void {
    this.catchingUp = false;
    for (const m of this.held.splice(0)) this.sendNow(m);
  }
}
