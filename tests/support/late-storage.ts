// A store whose answers come back late and in any order, as a database's do over a pool of
// connections: each call runs at once (SQLite commits in call order, as a remote database
// commits in lock order), and its answer is held back a random few milliseconds. Code that
// takes "resolved first" for "stored first" breaks on it as it would on PostgreSQL.
import type { Storage } from '../../sync-server/src/storage/types.ts';
import { prng } from './prng.ts';

export function lateAnswers(storage: Storage, maxLateMs: number, seed = 1): Storage {
  const random = prng(seed);
  return new Proxy(storage, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const late = Math.floor(random() * maxLateMs);
        return result.then(
          (v) => new Promise((resolve) => setTimeout(() => resolve(v), late)),
          (e: unknown) => new Promise((_, reject) => setTimeout(() => reject(e), late)),
        );
      };
    },
  });
}
