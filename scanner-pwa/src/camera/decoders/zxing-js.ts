// The JavaScript port of ZXing via @zxing/browser: the last resort, for a browser with
// neither BarcodeDetector nor WebAssembly (or when the .wasm could not be loaded). It
// misses codes that the others read, but it never needs a download of its own.
import { BrowserQRCodeReader } from '@zxing/browser';
import { BitmapPixels } from './bitmap-pixels.ts';
import type { FrameDecoder } from './frame-decoder.ts';

// The library signals "no code in this frame" by throwing; these kinds are that
// signal, anything else is a real failure worth reporting.
const NO_CODE_KINDS = new Set(['NotFoundException', 'ChecksumException', 'FormatException']);

function isNoCode(e: unknown): boolean {
  const kind = (e as { getKind?: () => string }).getKind?.();
  return kind !== undefined && NO_CODE_KINDS.has(kind);
}

export function createZxingJsDecoder(): FrameDecoder {
  const reader = new BrowserQRCodeReader();
  const pixels = new BitmapPixels();
  return {
    kind: 'zxing-js',
    async decode(frame) {
      // decodeFromCanvas only calls getContext('2d'), width and height, which an
      // OffscreenCanvas has too; that is what lets this run inside a worker.
      const canvas = pixels.draw(frame) as unknown as HTMLCanvasElement;
      try {
        return reader.decodeFromCanvas(canvas).getText();
      } catch (e) {
        if (isNoCode(e)) return null;
        throw e;
      }
    },
    close() {},
  };
}
