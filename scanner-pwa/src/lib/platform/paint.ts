// "Verdict painted": the browser has produced the frame that shows it. requestAnimationFrame
// runs at the start of the frame's rendering work; a message posted from it runs just after
// the frame's style, layout and paint.
export function afterNextPaint(callback: (frameStart: number) => void): void {
  requestAnimationFrame(() => {
    const frameStart = performance.now();
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      // Closed once heard: a port with a listener lives as long as the page, and in WebKit
      // every open port makes each later port message slower. Left open, 300 verdicts took
      // an empty frame's rAF-to-message from 1 to 4 ms in WebKitGTK (bench/README.md).
      ch.port1.close();
      ch.port2.close();
      callback(frameStart);
    };
    ch.port2.postMessage(null);
  });
}

/** Named performance entries the app leaves for benchmarks and field debugging. */
export const PERF = {
  /** Decoded text to the frame after the verdict's paint, end to end (waits for the display's refresh). */
  verdict: 'gk:decode-to-verdict-painted',
  /**
   * The same span without the idle wait for the display's next refresh: the app's own work
   * (decide, render) plus the rendering work of the frame that paints the verdict.
   */
  verdictBusy: 'gk:decode-to-verdict-painted-busy',
  /** The same start, to the verdict rendered into the DOM. */
  decided: 'gk:decode-to-verdict-rendered',
  cameraReady: 'gk:camera-ready',
} as const;

/** The verdict is in the DOM (after a synchronous flush): `t0` the text was complete, `rendered` now. */
export function measureVerdictRendered(t0: number, rendered: number): void {
  performance.measure(PERF.decided, { start: t0, end: rendered });
}

/**
 * The frame showing the verdict has painted: call from afterNextPaint's callback, with its
 * `frameStart`. Leaves the end-to-end measure and the one without the refresh wait.
 */
export function measureVerdictPainted(t0: number, rendered: number, frameStart: number, detail: unknown): void {
  const end = performance.now();
  performance.measure(PERF.verdict, { start: t0, end, detail });
  performance.measure(PERF.verdictBusy, { start: t0, duration: rendered - t0 + (end - frameStart), detail });
}
