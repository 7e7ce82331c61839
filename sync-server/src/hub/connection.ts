// One scanner's socket after the handshake: who it is, which event, and its gossip state.
import type { WebSocket } from 'ws';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { StaffRecord } from '../storage/types.ts';
import { OutgoingMessage } from './frames.ts';

export class Connection {
  /** While catching up, gossip is held back so the cursor the client keeps never skips a scan. */
  catchingUp = false;
  readonly held: OutgoingMessage[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly staff: StaffRecord,
    readonly deviceId: DeviceId,
    readonly eventId: EventId,
    /** The protocol version the client said in its hello. */
    readonly version: number,
    /** The client listed DEFLATE_RAW in its hello: `scans` may go as binary frames. */
    readonly deflate: boolean,
    /** SHA-256 of the session cookie it was opened with (as stored): logout and expiry close it by this. */
    readonly sessionHash: string,
  ) {}

  send(msg: Down | OutgoingMessage): void {
    const out = msg instanceof OutgoingMessage ? msg : new OutgoingMessage(msg);
    if (this.catchingUp && (out.msg.type === 'scans' || out.msg.type === 'conflict')) { this.held.push(out); return; }
    this.sendNow(out);
  }

  sendNow(msg: Down | OutgoingMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const { data, binary } = (msg instanceof OutgoingMessage ? msg : new OutgoingMessage(msg)).frame(this.deflate);
    this.ws.send(data, { binary });
  }

  releaseHeld(): void {
    this.catchingUp = false;
    for (const m of this.held.splice(0)) this.sendNow(m);
  }
}
