// A code the camera reads while the app is busy deciding another (issue 9): the camera's
// repeat filter and the scan flow's gate together, frame by frame, as CameraScanner and
// ScanFlow.cameraCode run them.
import { describe, expect, it } from 'vitest';
import { RepeatFilter } from '../../scanner-pwa/src/camera/repeat-filter.ts';
import { CameraGate, type ShownVerdict } from '../../scanner-pwa/src/lib/scan/camera-gate.ts';

/** The camera side: a sighting the filter accepts goes to the gate; one not taken is forgotten. */
function camera(gate: CameraGate, app: { busy: boolean; shown: ShownVerdict | null }) {
  const filter = new RepeatFilter(3_000);
  const taken: string[] = [];
  return {
    taken,
    see(code: string, now: number) {
      if (!filter.accept(code, now)) return;
      if (gate.offer(code, app.busy, app.shown)) taken.push(code);
      else filter.forget(code);
    },
  };
}

describe('camera codes while a verdict is decided', () => {
  it('a code held up while another is being decided is read once that verdict has been seen, though it never left view', () => {
    const gate = new CameraGate();
    const app = { busy: false, shown: null as ShownVerdict | null };
    const cam = camera(gate, app);
    cam.see('A', 0);
    app.busy = true; // A is being decided online (up to the 1.5 s budget)
    for (let t = 100; t <= 1_400; t += 100) cam.see('B', t);
    expect(cam.taken).toEqual(['A']);
    app.busy = false;
    app.shown = { code: 'A', needsDecision: false };
    // A's verdict is on screen: B, which came up during the check, does not replace it.
    for (let t = 1_500; t <= 2_500; t += 100) cam.see('B', t);
    expect(cam.taken).toEqual(['A']);
    gate.dismissed();
    app.shown = null;
    cam.see('B', 2_600);
    expect(cam.taken).toEqual(['A', 'B']);
    // And then B is one scan for as long as it stays in view.
    for (let t = 2_700; t <= 9_000; t += 100) cam.see('B', t);
    expect(cam.taken).toEqual(['A', 'B']);
  });

  it('the code on screen is taken (the holder still holds it up) and stays one scan after dismissal', () => {
    const gate = new CameraGate();
    const app = { busy: false, shown: null as ShownVerdict | null };
    const cam = camera(gate, app);
    cam.see('A', 0);
    app.shown = { code: 'A', needsDecision: false };
    for (let t = 100; t <= 2_000; t += 100) cam.see('A', t);
    gate.dismissed();
    app.shown = null;
    for (let t = 2_100; t <= 6_000; t += 100) cam.see('A', t);
    expect(cam.taken).toEqual(['A']);
  });

  it('a decision on screen (check ID) is not swept away; the next code waits for it, then is read', () => {
    const gate = new CameraGate();
    const app = { busy: false, shown: { code: 'A', needsDecision: true } as ShownVerdict | null };
    const cam = camera(gate, app);
    for (let t = 0; t <= 5_000; t += 100) cam.see('B', t);
    expect(cam.taken).toEqual([]);
    gate.dismissed();
    app.shown = null;
    cam.see('B', 5_100);
    expect(cam.taken).toEqual(['B']);
  });

  it('a new code after a verdict appeared (not during its check) replaces it, as before', () => {
    const gate = new CameraGate();
    expect(gate.offer('B', false, { code: 'A', needsDecision: false })).toBe(true);
  });
});
