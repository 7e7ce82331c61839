// Binary frames from the server are `scans` messages compressed with raw DEFLATE (protocol
// 2, DEFLATE_RAW in shared). The browser inflates them with DecompressionStream;
// one without 'deflate-raw' (Chromium before 103, Safari before 16.4) does not ask for
// them and keeps getting text.
import { DEFLATE_RAW } from '@gatekeeper/shared/protocol/index';

/** Whether this browser can inflate 'deflate-raw' (the constructor throws on a format it lacks). */
export function canInflateRaw(): boolean {
  try {
    new DecompressionStream(DEFLATE_RAW);
    return true;
  } catch {
    return false;
  }
}

export async function inflateRawText(data: ArrayBuffer | Blob): Promise<string> {
  const stream = (data instanceof Blob ? data : new Blob([data])).stream().pipeThrough(new DecompressionStream(DEFLATE_RAW));
  return new Response(stream).text();
}

/**
 * Hands messages on in the order they arrived although inflating one takes a while:
 * text that comes after a binary frame waits for it. With nothing queued, text is handed
 * on at once.
 */
export class InOrder {
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;

  /** `value` is the message (or a promise of it); `deliver` gets it once all before it are delivered. */
  push<T>(value: T | Promise<T>, deliver: (v: T) => void, failed: (e: unknown) => void): void {
    if (this.#queued === 0 && !(value instanceof Promise)) { deliver(value); return; }
    this.#queued++;
    this.#queue = this.#queue
      .then(() => value)
      .then(deliver, failed)
      .finally(() => { this.#queued--; });
  }
}
