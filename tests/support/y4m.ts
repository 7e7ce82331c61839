// Writes a Y4M video of real QR codes for Chromium's fake camera
// (--use-file-for-fake-video-capture), which plays it at its frame rate and loops it.
// The codes are made by the `qrcode` package, so a decoder that reads them reads
// what a ticket printer or the wallet page would produce.
import { open } from 'node:fs/promises';
import QRCode from 'qrcode';
import { prng } from './prng.ts';

export type QrVideoSegment = { text: string; frames: number } | { blank: number };

export interface QrVideoOptions {
  width?: number;
  height?: number;
  /** Pixels per QR module; default: the code with its quiet zone fills ~70% of the short side. */
  moduleScale?: number;
  /** Sensor noise: each luma sample moves by up to ± this many levels, per frame. Default 0. */
  noise?: number;
  /** Seed for the noise, so a failing run can be replayed. */
  seed?: number;
}

// A phone screen or paper under gate lighting: neither pure black nor pure white.
const DARK = 30;
const LIGHT = 225;
const BACKGROUND = 128;
const QUIET_ZONE_MODULES = 4;

/** The luma plane of one code centred on a grey background. */
function renderQrLuma(text: string, width: number, height: number, moduleScale?: number): Uint8Array {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const span = size + 2 * QUIET_ZONE_MODULES;
  const scale = moduleScale ?? Math.max(1, Math.floor((0.7 * Math.min(width, height)) / span));
  const px = span * scale;
  if (px > width || px > height) throw new Error(`QR of ${span} modules at ${scale} px does not fit ${width}x${height}`);
  const left = Math.floor((width - px) / 2);
  const top = Math.floor((height - px) / 2);
  const luma = new Uint8Array(width * height).fill(BACKGROUND);
  for (let y = 0; y < px; y++) {
    const row = Math.floor(y / scale) - QUIET_ZONE_MODULES;
    for (let x = 0; x < px; x++) {
      const col = Math.floor(x / scale) - QUIET_ZONE_MODULES;
      const inCode = row >= 0 && row < size && col >= 0 && col < size;
      luma[(top + y) * width + left + x] = inCode && data[row * size + col] ? DARK : LIGHT;
    }
  }
  return luma;
}

function addNoise(luma: Uint8Array, amount: number, random: () => number): Uint8Array {
  if (amount <= 0) return luma;
  const out = new Uint8Array(luma.length);
  for (let i = 0; i < luma.length; i++) {
    const v = luma[i] + Math.round((random() * 2 - 1) * amount);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** Writes the segments in order: each code for its frames, grey frames for blanks. */
export async function writeQrVideo(file: string, segments: QrVideoSegment[], opts: QrVideoOptions = {}): Promise<void> {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  if (width % 2 || height % 2) throw new Error('4:2:0 needs an even width and height');
  const random = prng(opts.seed ?? 1);
  // Grey chroma: the codes are colourless, so U and V stay at their midpoint.
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const frameTag = Buffer.from('FRAME\n');
  const blank = new Uint8Array(width * height).fill(BACKGROUND);

  const out = await open(file, 'w');
  try {
    await out.write(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
    for (const segment of segments) {
      const luma = 'blank' in segment ? blank : renderQrLuma(segment.text, width, height, opts.moduleScale);
      const count = 'blank' in segment ? segment.blank : segment.frames;
      for (let i = 0; i < count; i++) {
        await out.write(Buffer.concat([frameTag, addNoise(luma, opts.noise ?? 0, random), chroma]));
      }
    }
  } finally {
    await out.close();
  }
}
