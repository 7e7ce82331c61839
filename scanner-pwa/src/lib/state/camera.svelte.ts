// The camera as the scan screen sees it: open between visitors, switchable, with a torch
// where the camera has one. The decoding itself is the camera module's (src/camera/).
import { cameraTrouble, type CameraTrouble } from '../../camera/camera-trouble.ts';
import { PERF } from '../platform/paint.ts';

/** The part of CameraScanner this app uses; tests may hand in their own. */
export interface CameraLike {
  readonly ready: Promise<void>;
  readonly torchSupported: boolean;
  start(deviceId?: string): Promise<void>;
  stop(): void;
  switchCamera(): Promise<void>;
  listCameras(): Promise<MediaDeviceInfo[]>;
  setTorch(on: boolean): Promise<void>;
}

/** `onCode` answers false when the code was not taken now: the camera reports it again. */
export type CameraFactory = (video: HTMLVideoElement, opts: { onCode(text: string): boolean; onError?(e: Error): void }) => CameraLike;

export class CameraState {
  #status = $state<'idle' | 'starting' | 'running' | 'error'>('idle');
  #error = $state<string | null>(null);
  #trouble = $state<CameraTrouble | null>(null);
  #torch = $state(false);
  #torchSupported = $state(false);
  #cameraCount = $state(0);
  #scanner: CameraLike | null = null;
  readonly #factory: CameraFactory;
  readonly #onCode: (text: string) => boolean;

  constructor(factory: CameraFactory, onCode: (text: string) => boolean) {
    this.#factory = factory;
    this.#onCode = onCode;
  }

  get status() { return this.#status; }
  /** The engine's own words for the last failure (for 'failed', which has no better ones). */
  get error() { return this.#error; }
  /** Why the camera is not running, as the screen words it for the inspector. */
  get trouble() { return this.#trouble; }
  get torch() { return this.#torch; }
  get torchSupported() { return this.#torchSupported; }
  get canSwitch() { return this.#cameraCount > 1; }

  async start(video: HTMLVideoElement): Promise<void> {
    this.stop();
    const scanner = this.#factory(video, {
      onCode: (text) => this.#onCode(text),
      onError: (e) => this.#fail(e),
    });
    this.#scanner = scanner;
    this.#status = 'starting';
    this.#error = null;
    this.#trouble = null;
    void scanner.ready.then(() => {
      if (this.#scanner === scanner && !performance.getEntriesByName(PERF.cameraReady).length) performance.mark(PERF.cameraReady);
    });
    try {
      await scanner.start();
      if (this.#scanner !== scanner) return;
      this.#status = 'running';
      this.#torchSupported = scanner.torchSupported;
      this.#cameraCount = (await scanner.listCameras()).length;
    } catch (e) {
      if (this.#scanner !== scanner) return;
      this.#status = 'error';
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.#error = e instanceof Error ? e.message : String(e);
    this.#trouble = cameraTrouble(e);
  }

  stop(): void {
    this.#scanner?.stop();
    this.#scanner = null;
    this.#status = 'idle';
    this.#torch = false;
  }

  async switchCamera(): Promise<void> {
    if (!this.#scanner) return;
    this.#torch = false;
    await this.#scanner.switchCamera();
    this.#torchSupported = this.#scanner.torchSupported;
  }

  async toggleTorch(): Promise<void> {
    if (!this.#scanner || !this.#torchSupported) return;
    const on = !this.#torch;
    try {
      await this.#scanner.setTorch(on);
      this.#torch = on;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    }
  }
}
