// Opening, listing and lighting cameras: the getUserMedia side of the scanner.
import { cameraApi } from './camera-trouble.ts';

/** Torch is not in TypeScript's DOM types yet; Chrome on Android reports it. */
type TorchCapabilities = MediaTrackCapabilities & { torch?: boolean };
type TorchConstraints = MediaTrackConstraintSet & { torch?: boolean };

export async function openCamera(deviceId: string | undefined, facingMode: 'environment' | 'user'): Promise<MediaStream> {
  const video: MediaTrackConstraints = deviceId
    ? { deviceId: { exact: deviceId } }
    : { facingMode: { ideal: facingMode } };
  // 720p is enough for a code held at arm's length; more only costs the crop step.
  video.width = { ideal: 1280 };
  video.height = { ideal: 720 };
  return cameraApi().getUserMedia({ video, audio: false });
}

/** Video inputs; labels are empty until the user has granted camera access once. */
export async function listVideoInputs(): Promise<MediaDeviceInfo[]> {
  const devices = await cameraApi().enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput');
}

export function hasTorch(track: MediaStreamTrack | undefined): boolean {
  // getCapabilities is missing in older Firefox.
  const caps = track?.getCapabilities?.() as TorchCapabilities | undefined;
  return caps?.torch === true;
}

export async function applyTorch(track: MediaStreamTrack, on: boolean): Promise<void> {
  const torch: TorchConstraints = { torch: on };
  await track.applyConstraints({ advanced: [torch] });
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
