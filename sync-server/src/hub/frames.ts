// What goes on the wire for a message: text JSON, or for a client that asked for it in its
// hello (protocol 2, DEFLATE_RAW), a `scans` message as a binary frame of raw DEFLATE.
//
// Gossip is the server's largest output by far: at 1,000 scans/s every scanner gets
// ~370 kB/s of JSON, 200 scanners ~75 MB/s through the venue's network. Scan records
// repeat their keys and most values (event, checkpoint, zone, device ids), so a message
// of 50 scans deflates ~8× (19 kB to 2.3 kB) in ~0.07 ms, and it is compressed once for
// every socket that reads it, not once per socket as WebSocket permessage-deflate would.
import { deflateRawSync } from 'node:zlib';
import type { Down } from '@gatekeeper/shared/protocol/index';
import { PROTOCOL_VERSION } from '@gatekeeper/shared/protocol/version';
import { messageForPhones, versionNeeded } from '../scans/for-phones.ts';

/** Below this a message goes as text: deflate gains little on a scan or two. */
export const DEFLATE_MIN_BYTES = 1024;

export interface Frame { data: Buffer | string; binary: boolean }

/**
 * One message, encoded lazily for each kind of reader and then reused: fan-out asks it
 * for the frame of every socket, and each encoding is made at most once.
 */
export class OutgoingMessage {
  readonly #json: string;
  readonly #compressible: boolean;
  #text: Frame | null = null;
  #deflated: Frame | null = null;
  /** Clients older than this read a copy of their own (a quarantine reason newer than them). */
  readonly #needs: number;
  #older: Map<number, OutgoingMessage> | null = null;

  constructor(readonly msg: Down, version: number = PROTOCOL_VERSION) {
    // Every message to a socket is encoded here: the one place scans lose their code.
    this.#json = JSON.stringify(messageForPhones(msg, version));
    this.#compressible = msg.type === 'scans' && this.#json.length >= DEFLATE_MIN_BYTES;
    this.#needs = version === PROTOCOL_VERSION ? versionNeeded(msg) : 1;
  }

  /** The frame for a socket whose client (of `version`) reads deflate-raw binary frames or does not. */
  frame(deflate: boolean, version: number = PROTOCOL_VERSION): Frame {
    if (version < this.#needs) {
      this.#older ??= new Map();
      let copy = this.#older.get(version);
      if (!copy) this.#older.set(version, (copy = new OutgoingMessage(this.msg, version)));
      return copy.frame(deflate);
    }
    if (deflate && this.#compressible) return (this.#deflated ??= { data: deflateRawSync(this.#json), binary: true });
    // Encoded to UTF-8 once: ws.send(string) would encode it again for every socket.
    return (this.#text ??= { data: Buffer.from(this.#json), binary: false });
  }
}
