// A map from a string key to a number (a row), in two typed arrays: no key strings of its
// own. The keys live where the rows keep them; `keyIs(value, key)` reads a value's key
// there. A Map<string, number> of 100,000 tickets holds 100,000 strings and entries for the
// garbage collector to walk; this holds two arrays.
//
// A value whose key changed stays in the table under its old hash, and no longer matches
// it: `keyIs` reads the key the row has now. That is how a ticket's imported code is
// replaced without deleting from open addressing.
import { hashString } from './string-pool.ts';

const EMPTY = -1;

export class KeyTable {
  /** The value in each slot, EMPTY where none. Capacity is a power of two. */
  #values = new Int32Array(1024).fill(EMPTY);
  #hashes = new Int32Array(1024);
  #used = 0;
  readonly #keyIs: (value: number, key: string) => boolean;

  constructor(keyIs: (value: number, key: string) => boolean) {
    this.#keyIs = keyIs;
  }

  /** The value whose key is `key` now, or -1. */
  get(key: string): number {
    const h = hashString(key);
    const mask = this.#values.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.#values[i];
      if (v === EMPTY) return -1;
      if (this.#hashes[i] === h && this.#keyIs(v, key)) return v;
    }
  }

  /** `value`'s key is `key` (as the rows already say): it replaces whatever had that key. */
  set(key: string, value: number): void {
    if ((this.#used + 1) * 2 > this.#values.length) this.#grow();
    const h = hashString(key);
    const mask = this.#values.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.#values[i];
      if (v === EMPTY) {
        this.#values[i] = value;
        this.#hashes[i] = h;
        this.#used++;
        return;
      }
      if (this.#hashes[i] === h && (v === value || this.#keyIs(v, key))) {
        this.#values[i] = value;
        return;
      }
    }
  }

  #grow(): void {
    const values = this.#values, hashes = this.#hashes;
    this.#values = new Int32Array(values.length * 2).fill(EMPTY);
    this.#hashes = new Int32Array(values.length * 2);
    const mask = this.#values.length - 1;
    for (let j = 0; j < values.length; j++) {
      if (values[j] === EMPTY) continue;
      let i = hashes[j] & mask;
      while (this.#values[i] !== EMPTY) i = (i + 1) & mask;
      this.#values[i] = values[j];
      this.#hashes[i] = hashes[j];
    }
  }
}
