// Turns a frame bitmap into pixels for the decoders that read pixels (zxing-wasm,
// @zxing/browser). One reused canvas: allocating a canvas per frame at 30 fps churns
// memory on a phone for nothing.

export class BitmapPixels {
  #canvas = new OffscreenCanvas(1, 1);
  // willReadFrequently keeps the canvas in CPU memory: we read back every frame.
  #ctx = this.#canvas.getContext('2d', { willReadFrequently: true });

  /** Draws the bitmap (and closes it) and returns the canvas holding it. */
  draw(frame: ImageBitmap): OffscreenCanvas {
    if (!this.#ctx) throw new Error('2D canvas context is unavailable');
    if (this.#canvas.width !== frame.width || this.#canvas.height !== frame.height) {
      this.#canvas.width = frame.width;
      this.#canvas.height = frame.height;
    }
    this.#ctx.drawImage(frame, 0, 0);
    frame.close();
    return this.#canvas;
  }

  /** Draws the bitmap (and closes it) and returns its RGBA pixels. */
  imageData(frame: ImageBitmap): ImageData {
    const canvas = this.draw(frame);
    // Non-null: draw() has thrown already when there is no context.
    return this.#ctx!.getImageData(0, 0, canvas.width, canvas.height);
  }
}
