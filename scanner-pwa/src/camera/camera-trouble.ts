// Why the camera could not be had, in terms an inspector can act on. Each engine words the
// same trouble differently (WebKit says "Invalid constraint" when a phone has no camera),
// and none of its sentences tells an inspector what to do; the error's name does say which
// trouble it is. tests/scanner-pwa/camera-trouble.test.ts lists the names seen per engine.

export type CameraTrouble = 'no_camera' | 'refused' | 'in_use' | 'unsupported' | 'failed';

const BY_NAME: Record<string, CameraTrouble> = {
  NotFoundError: 'no_camera',
  DevicesNotFoundError: 'no_camera',
  // WebKit with no camera; elsewhere a chosen camera that is gone: no camera to open either.
  OverconstrainedError: 'no_camera',
  ConstraintNotSatisfiedError: 'no_camera',
  NotAllowedError: 'refused',
  PermissionDeniedError: 'refused',
  SecurityError: 'refused',
  NotReadableError: 'in_use',
  TrackStartError: 'in_use',
  // Firefox, when another process holds the camera: "Starting videoinput failed".
  AbortError: 'in_use',
  NotSupportedError: 'unsupported',
};

export function cameraTrouble(e: unknown): CameraTrouble {
  const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
  return BY_NAME[name] ?? 'failed';
}

/**
 * Browsers give no camera API to a page that is not a secure context (the scanner opened
 * over plain http on the LAN): say so by name, instead of "undefined is not an object".
 */
export function cameraApi(): MediaDevices {
  if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('this page has no camera API (not a secure context?)', 'NotSupportedError');
  return navigator.mediaDevices;
}
