// zxing-cpp compiled to WebAssembly: reads codes that the JavaScript port misses
// (docs/design.md, "Decoding"). Its .wasm must come from our own origin: the package's
// default is a jsDelivr URL, which fails at a gate with no signal, and the service
// worker can only precache what we serve.
// The reference brings Vite's `?url` typing into programs that reach this file by import.
/// <reference path="../env.d.ts" />
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { BitmapPixels } from './bitmap-pixels.ts';
import type { FrameDecoder } from './frame-decoder.ts';

const READER_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  // Worth the time: frames are small after the centre crop, and a miss costs a frame.
  tryHarder: true,
  maxNumberOfSymbols: 1,
};

/** Loads the wasm (throws when it cannot be fetched or compiled) and returns the decoder. */
export async function createZxingWasmDecoder(): Promise<FrameDecoder> {
  // Resolved against the current document or worker script, so it works from both.
  const wasmHref = new URL(wasmUrl, globalThis.location.href).href;
  await prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmHref : prefix + path),
    },
    fireImmediately: true,
  });
  const pixels = new BitmapPixels();
  return {
    kind: 'zxing-wasm',
    async decode(frame) {
      const results = await readBarcodes(pixels.imageData(frame), READER_OPTIONS);
      return results[0]?.text ?? null;
    },
    close() {},
  };
}
