// The decode worker: keeps the decoding (and the pixel read-back it needs) off the main
// thread, so the camera preview and the verdict screen never stutter while a frame is
// being read.
import type { FromDecodeWorker, ToDecodeWorker } from './decode-protocol.ts';
import type { FrameDecoder } from './decoders/frame-decoder.ts';
import { pickDecoder } from './decoders/pick-decoder.ts';
import { cropToBitmap } from './frame-crop.ts';

// One worker serves one scanner, so the decoder is the worker's own state.
let decoder: FrameDecoder | null = null;

function reply(message: FromDecodeWorker): void {
  postMessage(message);
}

async function handle(message: ToDecodeWorker): Promise<void> {
  if (message.type === 'init') {
    try {
      decoder = await pickDecoder(message.preference);
      reply({ type: 'ready', decoder: decoder.kind });
    } catch (e) {
      reply({ type: 'init-failed', message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (!decoder) {
    message.frame.close();
    reply({ type: 'failed', id: message.id, message: 'frame before init' });
    return;
  }
  try {
    const frame = message.type === 'frame' ? message.frame : await cropVideoFrame(message.frame, message.maxSide);
    reply({ type: 'result', id: message.id, text: await decoder.decode(frame) });
  } catch (e) {
    reply({ type: 'failed', id: message.id, message: e instanceof Error ? e.message : String(e) });
  }
}

async function cropVideoFrame(frame: VideoFrame, maxSide: number): Promise<ImageBitmap> {
  try {
    return await cropToBitmap(frame, frame.displayWidth, frame.displayHeight, maxSide);
  } finally {
    frame.close();
  }
}

addEventListener('message', (event: MessageEvent<ToDecodeWorker>) => {
  void handle(event.data);
});
