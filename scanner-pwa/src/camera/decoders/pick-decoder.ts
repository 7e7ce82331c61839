// Picks the first decoder that works here, in the caller's order of preference. Runs
// in the decode worker, or on the main thread when workers are unavailable.
import type { DecoderKind, FrameDecoder } from './frame-decoder.ts';

async function tryCreate(kind: DecoderKind): Promise<FrameDecoder | null> {
  // Imported lazily: a phone with BarcodeDetector never downloads either ZXing.
  switch (kind) {
    case 'barcode-detector':
      return (await import('./barcode-detector.ts')).createBarcodeDetectorDecoder();
    case 'zxing-wasm':
      return (await import('./zxing-wasm.ts')).createZxingWasmDecoder();
    case 'zxing-js':
      return (await import('./zxing-js.ts')).createZxingJsDecoder();
  }
}

export async function pickDecoder(preference: readonly DecoderKind[]): Promise<FrameDecoder> {
  const failures: string[] = [];
  for (const kind of preference) {
    try {
      const decoder = await tryCreate(kind);
      if (decoder) return decoder;
      failures.push(`${kind}: not supported`);
    } catch (e) {
      // e.g. the .wasm could not be fetched (offline before it was cached): fall through.
      failures.push(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`No QR decoder available (${failures.join('; ') || 'none allowed'})`);
}
