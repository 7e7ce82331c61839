// Many strings held as one: each added string is a numbered range of a single long string.
// A garbage collector marks one string instead of hundreds of thousands, which is what
// makes the 100,000-ticket index cheap to hold (manifest-index.ts).
//
// Append-only: a replaced value's text stays until the pool is dropped. Deltas replace a
// few rows at a time, and the index is rebuilt from storage on every load.

/** A string's number in its pool; NO_STRING stands for null. */
export type StringRef = number;
export const NO_STRING: StringRef = -1;

export class StringPool {
  /** Everything sealed so far, end to end. */
  #text = '';
  /** Added since the last seal: joined onto #text in one go rather than one concat each. */
  #pending: string[] = [];
  #sealedCount = 0;
  /** End offset of string i in #text (start: the end of i - 1). */
  #ends = new Int32Array(1024);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(s: string): StringRef {
    if (this.#count === this.#ends.length) {
      const grown = new Int32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    const start = this.#count ? this.#ends[this.#count - 1] : 0;
    this.#ends[this.#count] = start + s.length;
    this.#pending.push(s);
    return this.#count++;
  }

  /** add(s), or NO_STRING for null. */
  addOrNull(s: string | null): StringRef {
    return s === null ? NO_STRING : this.add(s);
  }

  get(ref: StringRef): string {
    if (ref >= this.#sealedCount) return this.#pending[ref - this.#sealedCount];
    return this.#text.slice(ref ? this.#ends[ref - 1] : 0, this.#ends[ref]);
  }

  getOrNull(ref: StringRef): string | null {
    return ref === NO_STRING ? null : this.get(ref);
  }

  /** Whether string `ref` is `s`, without making a string of it. */
  equals(ref: StringRef, s: string): boolean {
    if (ref === NO_STRING) return false;
    if (ref >= this.#sealedCount) return this.#pending[ref - this.#sealedCount] === s;
    const start = ref ? this.#ends[ref - 1] : 0;
    return this.#ends[ref] - start === s.length && this.#text.startsWith(s, start);
  }

  /** Fold what was added into the one string (call after a batch of adds). */
  seal(): void {
    if (this.#pending.length === 0) return;
    // join makes a flat string; `+` alone would leave a rope that every slice flattens.
    this.#text = [this.#text, ...this.#pending].join('');
    this.#pending = [];
    this.#sealedCount = this.#count;
  }
}

/**
 * FNV-1a over UTF-16 code units, then MurmurHash3's finaliser: the key tables index by the
 * low bits, and FNV's low bits alone cluster for ids that differ in one digit ("T00017").
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
