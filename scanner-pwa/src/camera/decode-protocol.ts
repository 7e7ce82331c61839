// Messages between the scanner (main thread) and the decode worker.
import type { DecoderKind } from './decoders/frame-decoder.ts';

export type ToDecodeWorker =
  | { type: 'init'; preference: DecoderKind[] }
  /** The bitmap is transferred, not copied. */
  | { type: 'frame'; id: number; frame: ImageBitmap }
  /**
   * A camera frame by reference, transferred; the worker crops it (maxSide as in
   * grabFrame) and closes it. Keeps the copy and colour conversion off the main thread.
   */
  | { type: 'video-frame'; id: number; frame: VideoFrame; maxSide: number };

export type FromDecodeWorker =
  | { type: 'ready'; decoder: DecoderKind }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; text: string | null }
  | { type: 'failed'; id: number; message: string };
