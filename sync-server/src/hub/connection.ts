// One scanner's socket after the handshake: who it is, which event, which session, and
// how its messages are written (socket-writer.ts).
import type { WebSocket } from 'ws';
import type { CheckpointId, DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { StaffRecord } from '../storage/types.ts';
import { OutgoingMessage } from './frames.ts';
import type { SocketWriter } from './socket-writer.ts';

export class Connection {
  constructor(
    readonly writer: SocketWriter,
    readonly staff: StaffRecord,
    /** The SHA-256 of the session token the socket was opened with (sessions.ts hashToken). */
    readonly sessionHash: string,
    readonly deviceId: DeviceId,
    readonly eventId: EventId,
    /** The protocol version the client said in its hello. */
    readonly version: number,
    /** The client listed DEFLATE_RAW in its hello: `scans` may go as binary frames. */
    readonly deflate: boolean,
    /** The checkpoint its hello named (null: none chosen), for the supervisors' fleet. */
    readonly checkpointId: CheckpointId | null = null,
  ) {}

  get ws(): WebSocket { return this.writer.ws; }

  /** Not closing: what is sent is written. */
  get open(): boolean { return this.writer.open; }

  /** An answer to this socket's own request (verdict, ack, pong), or a notice: written at once. */
  send(msg: Down | OutgoingMessage): void {
    this.writer.answer(this.#frame(msg));
  }

  /** Gossip or a catch-up page: the feed calls this only while the socket is not backed up. */
  sendPaced(msg: Down | OutgoingMessage): boolean {
    return this.writer.paced(this.#frame(msg));
  }

  #frame(msg: Down | OutgoingMessage) {
    return (msg instanceof OutgoingMessage ? msg : new OutgoingMessage(msg)).frame(this.deflate, this.version);
  }
}
