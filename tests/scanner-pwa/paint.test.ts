// "Verdict painted": afterNextPaint hears the message it posts from the frame's
// requestAnimationFrame, and then closes that channel. An open port with a listener lives
// as long as the page, and in WebKit every open port makes each later port message slower:
// each verdict left one more, and after 300 verdicts an empty frame's rAF-to-message took
// 4 ms instead of 1 in WebKitGTK (bench/README.md, issue 13).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterNextPaint } from '../../scanner-pwa/src/lib/platform/paint.ts';

afterEach(() => { vi.unstubAllGlobals(); vi.restoreAllMocks(); });

/** requestAnimationFrame as a queue the test runs as "the next frame". */
function frames() {
  const queued: FrameRequestCallback[] = [];
  vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => { queued.push(f); return queued.length; });
  return { run: () => { for (const f of queued.splice(0)) f(performance.now()); } };
}

describe('afterNextPaint', () => {
  it('calls back after the frame, with the frame start, and closes both ends of its channel', async () => {
    const frame = frames();
    const opened: MessageChannel[] = [];
    const Real = MessageChannel;
    vi.stubGlobal('MessageChannel', class extends Real { constructor() { super(); opened.push(this); } });
    const closed = new Set<MessagePort>();
    const close = MessagePort.prototype.close;
    vi.spyOn(MessagePort.prototype, 'close').mockImplementation(function (this: MessagePort) { closed.add(this); close.call(this); });

    const heard: number[] = [];
    const order: string[] = [];
    afterNextPaint((frameStart) => { order.push('painted'); heard.push(frameStart); });
    expect(heard).toEqual([]);
    frame.run();
    order.push('frame ran');
    await vi.waitFor(() => expect(heard).toHaveLength(1));

    expect(order).toEqual(['frame ran', 'painted']);
    expect(heard[0]).toBeTypeOf('number');
    expect(opened).toHaveLength(1);
    expect(closed).toEqual(new Set([opened[0]!.port1, opened[0]!.port2]));
  });

  it('leaves no channel open over many verdicts', async () => {
    const frame = frames();
    const open = new Set<MessagePort>();
    const Real = MessageChannel;
    vi.stubGlobal('MessageChannel', class extends Real { constructor() { super(); open.add(this.port1); open.add(this.port2); } });
    const close = MessagePort.prototype.close;
    vi.spyOn(MessagePort.prototype, 'close').mockImplementation(function (this: MessagePort) { open.delete(this); close.call(this); });

    let painted = 0;
    for (let i = 0; i < 50; i++) {
      afterNextPaint(() => { painted++; });
      frame.run();
      await vi.waitFor(() => expect(painted).toBe(i + 1));
    }
    expect(open.size).toBe(0);
  });
});
