// The storage's methods are wrapped whole, twice: to return only once a write is on disk
// (syncedWrites, index.ts) and to turn the machine's storage failures into `unavailable`
// (unavailable.ts). Both take every method and nothing else, whatever its name.

type Method = (...args: unknown[]) => unknown;

/** `methods` with each function replaced by `around(name, call)`; other fields as they are. */
export function aroundEach<T extends Record<string, unknown>>(methods: T, around: (name: string, call: Method) => Method): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods)) out[name] = typeof fn === 'function' ? around(name, fn as Method) : fn;
  return out as T;
}
