// The console's holder measures (admins set, supervisors read): SMS and e-mail verification,
// scanners demanding a code from a verified device, and the name/e-mail change block. Each
// switch is saved as it is flipped (the server audits every change); a failed save puts the
// switch back, so the screen never shows what the server does not hold.
import type { Measures } from '@gatekeeper/shared/api/verification';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type MeasuresApi = Pick<Api, 'measures' | 'setMeasures'>;
export const MEASURE_KEYS = ['sms', 'email', 'verifiedDevice', 'changeBlock'] as const satisfies ReadonlyArray<keyof Measures>;

export class MeasuresDesk {
  #measures = $state.raw<Measures | null>(null);
  #busy = $state(false);
  #error = $state.raw<unknown>(null);
  readonly #api: MeasuresApi;
  readonly #eventId: EventId;

  constructor(api: MeasuresApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get measures() { return this.#measures; }
  get busy() { return this.#busy; }
  get error() { return this.#error; }

  async load(): Promise<void> {
    try {
      this.#measures = await this.#api.measures(this.#eventId);
      this.#error = null;
    } catch (e) {
      this.#error = e;
    }
  }

  /** Flip one measure; false when the server refused (the switch shows what it holds). */
  async set(key: keyof Measures, on: boolean): Promise<boolean> {
    const before = this.#measures;
    if (!before || this.#busy) return false;
    this.#busy = true;
    this.#measures = { ...before, [key]: on };
    try {
      this.#measures = await this.#api.setMeasures(this.#eventId, { ...before, [key]: on });
      this.#error = null;
      return true;
    } catch (e) {
      this.#measures = before;
      this.#error = e;
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
