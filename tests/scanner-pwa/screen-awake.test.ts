// Keeping the screen on: held while wanted, asked for again after the browser let go (the
// page was hidden), never kept after release, and the app going on where the browser has
// no wake lock or refuses one.
import { describe, expect, it } from 'vitest';
import { ScreenAwake, type WakeLockHost } from '../../scanner-pwa/src/lib/platform/screen-awake.svelte.ts';

class FakeSentinel extends EventTarget {
  released = false;
  readonly type = 'screen' as const;
  onrelease = null;
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.dispatchEvent(new Event('release'));
  }
}

function host(opts: { refuse?: boolean; delayMs?: number } = {}) {
  const given: FakeSentinel[] = [];
  const h: WakeLockHost = {
    wakeLock: {
      async request() {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        if (opts.refuse) throw new DOMException('battery saver', 'NotAllowedError');
        const s = new FakeSentinel();
        given.push(s);
        return s as unknown as WakeLockSentinel;
      },
    },
  };
  return { h, given };
}

describe('ScreenAwake', () => {
  it('holds one lock, asks again once the browser released it, and lets go on release', async () => {
    const { h, given } = host();
    const awake = new ScreenAwake(h);
    await awake.hold();
    await awake.hold();
    expect(given).toHaveLength(1);
    expect(awake.state).toBe('on');

    // Hidden: the browser releases the lock. Shown again: a new one.
    await given[0]!.release();
    expect(awake.state).toBe('off');
    await awake.shown();
    expect(given).toHaveLength(2);
    expect(awake.state).toBe('on');

    awake.release();
    expect(given[1]!.released).toBe(true);
    expect(awake.state).toBe('off');
    await awake.shown();
    expect(given).toHaveLength(2);
  });

  it('released while the request is under way: the lock it gets is let go at once', async () => {
    const { h, given } = host({ delayMs: 20 });
    const awake = new ScreenAwake(h);
    const asked = awake.hold();
    awake.release();
    await asked;
    expect(given).toHaveLength(1);
    expect(given[0]!.released).toBe(true);
    expect(awake.state).toBe('off');
  });

  it('says so where the browser has no wake lock or refuses it', async () => {
    const none = new ScreenAwake({});
    await none.hold();
    expect(none.state).toBe('unsupported');
    const refused = new ScreenAwake(host({ refuse: true }).h);
    await refused.hold();
    expect(refused.state).toBe('refused');
  });
});
