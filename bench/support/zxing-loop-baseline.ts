// The decode benchmark's baseline (bench/pwa-decode.ts, through the camera harness page
// tests/e2e/harness/camera.html): @zxing/browser's own continuous scan, exactly as a project
// that adopts it gets it (BrowserQRCodeReader.decodeFromVideoDevice with default options,
// which wait 500 ms after every attempt). Kept under bench/, out of the app's source.
import { BrowserQRCodeReader } from '@zxing/browser';

export interface ZxingLoopBaseline {
  /** Decode attempts so far, hits and misses alike. */
  readonly attempts: number;
  /** Attempts that read a code. */
  readonly decoded: number;
  /** The texts read, in order, repeats included. */
  readonly texts: readonly string[];
  stop(): void;
}

export async function startZxingLoopBaseline(video: HTMLVideoElement, deviceId?: string): Promise<ZxingLoopBaseline> {
  const reader = new BrowserQRCodeReader();
  let attempts = 0;
  const texts: string[] = [];
  // Count at decodeFromCanvas, which the loop calls once per attempt. Counting results
  // in the callback would count only hits; counting every callback would also count
  // frames that failed before decoding (a canvas draw error), which are not attempts.
  const decodeFromCanvas = reader.decodeFromCanvas.bind(reader);
  reader.decodeFromCanvas = (canvas) => {
    attempts++;
    return decodeFromCanvas(canvas);
  };
  const controls = await reader.decodeFromVideoDevice(deviceId, video, (result) => {
    if (result) texts.push(result.getText());
  });
  return {
    get attempts() {
      return attempts;
    },
    get decoded() {
      return texts.length;
    },
    texts,
    stop() {
      // Ends the loop and, through the library's finalize callback, stops the camera.
      controls.stop();
    },
  };
}
