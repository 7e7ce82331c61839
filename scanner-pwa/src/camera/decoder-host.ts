// Opens the decoder for the scanner: in a worker when the browser allows one, else on
// the main thread (old WebViews, a worker script that failed to load). Either way the
// scanner sees one FrameDecoder, and learns where it runs.
import type { FromDecodeWorker, ToDecodeWorker } from './decode-protocol.ts';
import type { DecoderKind, FrameDecoder } from './decoders/frame-decoder.ts';
import { pickDecoder } from './decoders/pick-decoder.ts';

export interface HostedDecoder {
  decoder: FrameDecoder;
  thread: 'worker' | 'main';
}

function send(worker: Worker, message: ToDecodeWorker, transfer: Transferable[] = []): void {
  worker.postMessage(message, transfer);
}

async function openInWorker(preference: DecoderKind[]): Promise<FrameDecoder> {
  const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve(text: string | null): void; reject(e: Error): void }>();
  let nextId = 0;

  const kind = await new Promise<DecoderKind>((resolve, reject) => {
    // A module worker that fails to load reports it here, not through a message.
    worker.onerror = (event) => reject(new Error(`decode worker failed to load: ${event.message || 'error'}`));
    worker.onmessage = (event: MessageEvent<FromDecodeWorker>) => {
      const m = event.data;
      if (m.type === 'ready') resolve(m.decoder);
      else if (m.type === 'init-failed') reject(new Error(m.message));
    };
    send(worker, { type: 'init', preference });
  }).catch((e: unknown) => {
    worker.terminate();
    throw e;
  });

  worker.onerror = (event) => {
    const error = new Error(`decode worker crashed: ${event.message || 'error'}`);
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.onmessage = (event: MessageEvent<FromDecodeWorker>) => {
    const m = event.data;
    if (m.type !== 'result' && m.type !== 'failed') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.type === 'result') p?.resolve(m.text);
    else p?.reject(new Error(m.message));
  };

  return {
    kind,
    decode(frame) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send(worker, { type: 'frame', id, frame }, [frame]);
      });
    },
    close() {
      worker.terminate();
      for (const p of pending.values()) p.reject(new Error('decoder closed'));
      pending.clear();
    },
  };
}

export async function openDecoder(preference: DecoderKind[], useWorker: boolean): Promise<HostedDecoder> {
  if (useWorker && typeof Worker !== 'undefined') {
    try {
      return { decoder: await openInWorker(preference), thread: 'worker' };
    } catch {
      // Fall through: decoding on the main thread is slower, not broken. If no decoder
      // works at all, the main-thread attempt below says so.
    }
  }
  return { decoder: await pickDecoder(preference), thread: 'main' };
}
