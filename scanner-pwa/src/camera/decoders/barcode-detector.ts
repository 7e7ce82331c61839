// The browser's own BarcodeDetector (Chrome on Android, Safari on macOS/iOS behind a
// flag): native, fast, and nothing to download. Exposed in windows and dedicated
// workers alike. Not part of TypeScript's DOM types yet, hence the local interface.
import type { FrameDecoder } from './frame-decoder.ts';

interface DetectedBarcode { rawValue: string }
interface BarcodeDetectorInstance { detect(image: ImageBitmapSource): Promise<DetectedBarcode[]> }
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

function detectorClass(): BarcodeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
}

/** A decoder on BarcodeDetector, or null when the browser has none or it cannot read QR. */
export async function createBarcodeDetectorDecoder(): Promise<FrameDecoder | null> {
  const Detector = detectorClass();
  if (!Detector) return null;
  // Some platforms expose the class but support no formats (e.g. no OS backend).
  const formats = await Detector.getSupportedFormats().catch(() => [] as string[]);
  if (!formats.includes('qr_code')) return null;
  const detector = new Detector({ formats: ['qr_code'] });
  return {
    kind: 'barcode-detector',
    async decode(frame) {
      try {
        const found = await detector.detect(frame);
        return found[0]?.rawValue ?? null;
      } finally {
        frame.close();
      }
    },
    close() {},
  };
}
