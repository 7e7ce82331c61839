// Calls the handler once per new camera frame, but never while the previous call is
// still running: a slow decode skips frames instead of queueing them, so what is
// decoded is always the latest picture, not one from a second ago.

type StopPump = () => void;

export function pumpFrames(video: HTMLVideoElement, handle: () => Promise<void>): StopPump {
  let stopped = false;
  let busy = false;
  let cancel: () => void = () => {};

  // requestVideoFrameCallback fires when the camera delivers a new frame (Chromium,
  // Safari 15.4+); requestAnimationFrame is the fallback and may repeat a frame.
  const schedule = (): void => {
    if (stopped) return;
    if ('requestVideoFrameCallback' in video) {
      const handleId = video.requestVideoFrameCallback(onFrame);
      cancel = () => video.cancelVideoFrameCallback(handleId);
    } else {
      const handleId = requestAnimationFrame(onFrame);
      cancel = () => cancelAnimationFrame(handleId);
    }
  };

  function onFrame(): void {
    schedule();
    if (busy || stopped) return;
    busy = true;
    handle().finally(() => {
      busy = false;
    });
  }

  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
