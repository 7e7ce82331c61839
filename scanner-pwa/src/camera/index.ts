// The camera and decoding path of the scanner PWA. The scanning screen needs only
// CameraScanner; docs/design.md ("Decoding") says why the decoders are chosen as they are.
export { CameraScanner, START_MARKS, type CameraScannerOptions, type CameraScannerStats } from './camera-scanner.ts';
export { DECODER_KINDS, type DecoderKind } from './decoders/frame-decoder.ts';
export { DecoderWarmer, type HostedDecoder } from './decoder-host.ts';
export { cameraTrouble, type CameraTrouble } from './camera-trouble.ts';
