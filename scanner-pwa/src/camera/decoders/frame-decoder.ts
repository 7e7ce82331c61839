// The one shape every QR decoder takes, so the scanner, the worker and the fallbacks
// never care which engine is behind it.

/** The engines, in the order the scanner prefers them (see docs/design.md, "Decoding"). */
export const DECODER_KINDS = ['barcode-detector', 'zxing-wasm', 'zxing-js'] as const;
export type DecoderKind = (typeof DECODER_KINDS)[number];

export interface FrameDecoder {
  readonly kind: DecoderKind;
  /**
   * Reads at most one QR code from the frame; null when there is none.
   * Takes ownership of the bitmap: the decoder closes or transfers it.
   */
  decode(frame: ImageBitmap): Promise<string | null>;
  /** Frees what the decoder holds (a worker, a canvas). */
  close(): void;
}
