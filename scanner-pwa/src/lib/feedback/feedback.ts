// A sound and a vibration per verdict class, so an inspector looking at the holder rather
// than the screen still knows: admits are short and high, refusals long and low. WebAudio
// beeps need no audio files (nothing to precache) and start within a frame.
import type { Tone } from '../verdict/view-model.ts';

interface Beep { freq: number; ms: number; gapMs?: number; wave?: OscillatorType }

const SOUNDS: Record<Tone, Beep[]> = {
  admit: [{ freq: 1320, ms: 90, gapMs: 40 }, { freq: 1760, ms: 110 }],
  'admit-offline': [{ freq: 1320, ms: 90, gapMs: 40 }, { freq: 1320, ms: 90, gapMs: 40 }, { freq: 990, ms: 140 }],
  exit: [{ freq: 880, ms: 120 }],
  used: [{ freq: 440, ms: 120, gapMs: 60, wave: 'square' }, { freq: 440, ms: 120, gapMs: 60, wave: 'square' }, { freq: 440, ms: 120, wave: 'square' }],
  check: [{ freq: 660, ms: 150, gapMs: 50, wave: 'triangle' }, { freq: 990, ms: 250, wave: 'triangle' }],
  deny: [{ freq: 220, ms: 600, wave: 'sawtooth' }],
  order: [{ freq: 990, ms: 80 }],
  // Falling, where an admit rises: an undo must never be heard as one more person let in.
  undone: [{ freq: 1175, ms: 110, gapMs: 50, wave: 'triangle' }, { freq: 784, ms: 110, gapMs: 50, wave: 'triangle' }, { freq: 523, ms: 200, wave: 'triangle' }],
};

export const VIBRATIONS: Record<Tone, number[]> = {
  admit: [60],
  'admit-offline': [60, 60, 60],
  exit: [40],
  used: [200, 100, 200],
  check: [100, 50, 100, 50, 300],
  deny: [600],
  order: [40, 40, 40],
  undone: [150, 80, 40],
};

export interface Feedback { signal(tone: Tone): void }

export class BrowserFeedback implements Feedback {
  #ctx: AudioContext | null = null;

  signal(tone: Tone): void {
    try { navigator.vibrate?.(VIBRATIONS[tone]); } catch { /* not allowed before a user gesture */ }
    this.#beep(SOUNDS[tone]);
  }

  /** Browsers start audio only after a user gesture: call from the first tap. */
  unlock(): void {
    const ctx = this.#audio();
    if (ctx?.state === 'suspended') void ctx.resume();
  }

  #audio(): AudioContext | null {
    if (this.#ctx) return this.#ctx;
    const Ctor = globalThis.AudioContext;
    if (!Ctor) return null;
    this.#ctx = new Ctor();
    return this.#ctx;
  }

  #beep(beeps: Beep[]): void {
    const ctx = this.#audio();
    if (!ctx || ctx.state !== 'running') return;
    let t = ctx.currentTime + 0.01;
    for (const b of beeps) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = b.wave ?? 'sine';
      osc.frequency.value = b.freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.4, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + b.ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + b.ms / 1000 + 0.02);
      t += (b.ms + (b.gapMs ?? 0)) / 1000;
    }
  }
}
