// Which part of a camera frame the decoder sees: the central square, scaled down to at
// most maxSide. Inspectors aim the code at the middle of the preview, a square holds a
// QR code whichever way the phone is turned, and fewer pixels mean a faster decode.

export interface FrameCrop {
  sx: number;
  sy: number;
  side: number;
  /** Output side in pixels (side, or maxSide when the square is larger). */
  out: number;
}

export function centreSquare(width: number, height: number, maxSide: number): FrameCrop {
  const side = Math.min(width, height);
  return {
    sx: Math.floor((width - side) / 2),
    sy: Math.floor((height - side) / 2),
    side,
    out: Math.min(side, maxSide),
  };
}

/** Copies the crop of the current video frame into a transferable bitmap. */
export function grabFrame(video: HTMLVideoElement, maxSide: number): Promise<ImageBitmap> {
  return cropToBitmap(video, video.videoWidth, video.videoHeight, maxSide);
}

/**
 * The crop of a picture as a bitmap. createImageBitmap crops and scales in one step, off
 * the JavaScript heap; from a <video> its synchronous part (the colour conversion and copy)
 * runs on the calling thread, which is why the worker does it from a VideoFrame when it can.
 */
export function cropToBitmap(source: HTMLVideoElement | VideoFrame, width: number, height: number, maxSide: number): Promise<ImageBitmap> {
  const { sx, sy, side, out } = centreSquare(width, height, maxSide);
  return out === side
    ? createImageBitmap(source, sx, sy, side, side)
    : createImageBitmap(source, sx, sy, side, side, { resizeWidth: out, resizeHeight: out, resizeQuality: 'medium' });
}

/**
 * The current video frame by reference (WebCodecs), to hand to the decode worker: no pixels
 * are copied on this thread. Null where VideoFrame is missing or refuses the element.
 */
export function currentVideoFrame(video: HTMLVideoElement): VideoFrame | null {
  if (typeof VideoFrame !== 'function') return null;
  try {
    return new VideoFrame(video);
  } catch {
    return null;
  }
}
