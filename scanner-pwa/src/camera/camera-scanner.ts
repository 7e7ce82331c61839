// Continuous QR scanning from a camera into a <video>: the one object the scanning
// screen holds. Framework-free, so the screen stays a thin component.
import { applyTorch, hasTorch, listVideoInputs, openCamera, stopStream } from './camera-stream.ts';
import { openDecoder, type DecoderWarmer, type HostedDecoder } from './decoder-host.ts';
import { DECODER_KINDS, type DecoderKind, type FrameDecoder } from './decoders/frame-decoder.ts';
import { currentVideoFrame, grabFrame } from './frame-crop.ts';
import { pumpFrames } from './frame-pump.ts';
import { RepeatFilter } from './repeat-filter.ts';

export interface CameraScannerOptions {
  /**
   * A new code in view (repeats within repeatWindowMs are suppressed). Returning false says
   * the code was not taken (the app is busy): it is reported again at its next sighting.
   */
  onCode(text: string): boolean | void;
  /** Decoder or camera trouble after start(); start() itself rejects instead. */
  onError?(e: Error): void;
  /** How long a code must be out of sight before it counts again. Default 3000. */
  repeatWindowMs?: number;
  facingMode?: 'environment' | 'user';
  /** Decoders in order of preference; default all, BarcodeDetector first. */
  decoders?: readonly DecoderKind[];
  /** Decode in a Web Worker when possible (default true). */
  useWorker?: boolean;
  /** Longest side of the cropped frame handed to the decoder. Default 720. */
  maxFrameSide?: number;
  /**
   * A decoder opened ahead of time (same preference and thread as the options above), taken
   * by the first start(); one that failed to open is replaced by a fresh attempt.
   */
  warmed?: DecoderWarmer;
}

/**
 * User Timing marks left by each start(), for benchmarks and field debugging (a mark costs
 * next to nothing): where the time from "start scanning" to the first read goes.
 */
export const START_MARKS = {
  /** start() was called: the camera and the decoder begin to open. */
  start: 'gk:camera-start',
  /** The camera's stream plays in the <video>. */
  streaming: 'gk:camera-streaming',
  /**
   * The decoder (worker, wasm) answered that it is ready, or was ready already (warmed);
   * its detail says which decoder and where it runs ({ decoder, thread }): a browser that
   * refuses the worker decodes on the main thread, slower, and nothing else shows it.
   */
  decoderReady: 'gk:decoder-ready',
  /** The first code read since start(). */
  firstRead: 'gk:first-read',
} as const;

export interface CameraScannerStats {
  /** Frames handed to the decoder; attempts / seconds since startedAt is the cadence. */
  attempts: number;
  /** Frames in which a code was read, repeats included. */
  decoded: number;
  /** performance.now() when decoding started. */
  startedAt: number;
  /** The decoder in use (before start() settles: the first preference). */
  decoder: DecoderKind;
  thread: 'worker' | 'main';
}

export class CameraScanner {
  readonly #video: HTMLVideoElement;
  readonly #opts: CameraScannerOptions;
  readonly #filter: RepeatFilter;
  readonly #stats: CameraScannerStats;
  #stream: MediaStream | null = null;
  #decoder: FrameDecoder | null = null;
  #stopPump: (() => void) | null = null;
  // Bumped by stop(): a start() that was still opening the camera then backs out.
  #session = 0;
  #markReady!: () => void;
  /**
   * Resolves once the first frame has been through the decoder ("camera ready"). It
   * never rejects: start() reports failures, and a start() retried after the user
   * grants the camera can still resolve it.
   */
  readonly ready: Promise<void>;

  constructor(video: HTMLVideoElement, opts: CameraScannerOptions) {
    this.#video = video;
    this.#opts = opts;
    this.#filter = new RepeatFilter(opts.repeatWindowMs ?? 3000);
    const decoder = opts.decoders?.[0] ?? DECODER_KINDS[0];
    this.#stats = { attempts: 0, decoded: 0, startedAt: 0, decoder, thread: 'main' };
    this.ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
  }

  get stats(): Readonly<CameraScannerStats> {
    return { ...this.#stats };
  }

  get torchSupported(): boolean {
    return hasTorch(this.#stream?.getVideoTracks()[0]);
  }

  async start(deviceId?: string): Promise<void> {
    this.stop();
    const session = ++this.#session;
    performance.mark(START_MARKS.start);
    // Camera and decoder (the .wasm download and compile) open in parallel.
    const open = () => openDecoder([...(this.#opts.decoders ?? DECODER_KINDS)], this.#opts.useWorker ?? true);
    const opening = this.#opts.warmed?.take()?.catch(open) ?? open();
    void opening.then(({ decoder, thread }) => {
      if (session === this.#session) performance.mark(START_MARKS.decoderReady, { detail: { decoder: decoder.kind, thread } });
    }, () => {});
    try {
      await this.#attach(deviceId, session);
    } catch (e) {
      // Do not leak the worker of a start that failed on the camera.
      opening.then((h) => h.decoder.close(), () => {});
      if (session === this.#session) this.#detach();
      throw e;
    }
    let hosted: HostedDecoder;
    try {
      hosted = await opening;
    } catch (e) {
      if (session === this.#session) this.#detach();
      throw e;
    }
    if (session !== this.#session) {
      hosted.decoder.close();
      return;
    }
    this.#decoder = hosted.decoder;
    // Counted per start(), so attempts / (now - startedAt) is this session's cadence.
    Object.assign(this.#stats, { attempts: 0, decoded: 0, startedAt: performance.now(), decoder: hosted.decoder.kind, thread: hosted.thread });
    this.#stopPump = pumpFrames(this.#video, () => this.#decodeFrame(hosted));
  }

  stop(): void {
    this.#session++;
    this.#stopPump?.();
    this.#stopPump = null;
    this.#decoder?.close();
    this.#decoder = null;
    this.#detach();
  }

  listCameras(): Promise<MediaDeviceInfo[]> {
    return listVideoInputs();
  }

  /** Moves to the next camera in the list, keeping the decoder running. */
  async switchCamera(): Promise<void> {
    const cameras = await this.listCameras();
    if (cameras.length < 2 || !this.#decoder) return;
    const current = this.#stream?.getVideoTracks()[0]?.getSettings().deviceId;
    const index = cameras.findIndex((c) => c.deviceId === current);
    const next = cameras[(index + 1) % cameras.length];
    // The pump keeps running: frames simply have no size while the new camera opens.
    this.#detach();
    await this.#attach(next.deviceId, this.#session);
  }

  async setTorch(on: boolean): Promise<void> {
    const track = this.#stream?.getVideoTracks()[0];
    if (!track || !hasTorch(track)) throw new Error('This camera has no torch');
    await applyTorch(track, on);
  }

  async #attach(deviceId: string | undefined, session: number): Promise<void> {
    const stream = await openCamera(deviceId, this.#opts.facingMode ?? 'environment');
    if (session !== this.#session) {
      stopStream(stream);
      return;
    }
    this.#stream = stream;
    const video = this.#video;
    // muted + playsInline: iOS only autoplays a muted inline video.
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    performance.mark(START_MARKS.streaming);
  }

  #detach(): void {
    stopStream(this.#stream);
    this.#stream = null;
    this.#video.srcObject = null;
  }

  async #decodeFrame({ decoder, decodeVideoFrame }: HostedDecoder): Promise<void> {
    const video = this.#video;
    if (video.videoWidth === 0 || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    const maxSide = this.#opts.maxFrameSide ?? 720;
    try {
      // A worker crops the frame itself; otherwise the crop is copied here.
      const byReference = decodeVideoFrame ? currentVideoFrame(video) : null;
      const pending = byReference && decodeVideoFrame ? decodeVideoFrame(byReference, maxSide) : grabFrame(video, maxSide).then((f) => decoder.decode(f));
      this.#stats.attempts++;
      const text = await pending;
      // A read that lands after stop() or a restart belongs to a finished session.
      if (decoder !== this.#decoder) return;
      this.#markReady();
      if (text === null) return;
      if (this.#stats.decoded === 0) performance.mark(START_MARKS.firstRead);
      this.#stats.decoded++;
      if (this.#filter.accept(text, performance.now()) && this.#opts.onCode(text) === false) this.#filter.forget(text);
    } catch (e) {
      // A closed decoder after stop() is expected; anything else is the screen's to show.
      if (decoder !== this.#decoder) return;
      this.#opts.onError?.(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
