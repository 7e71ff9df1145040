/**
 * Fields read through to an object that can change under the caller: the provider of the current model (/model in
 * chat), or the embedder a cache wraps (the default one falls back to the hash embedder when the model cannot load).
 * Each read goes to whatever `current()` returns at that moment, never to a copy taken at construction.
 */
export function lateBound<T extends object, K extends keyof T>(current: () => T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) Object.defineProperty(out, key, { get: () => current()[key], enumerable: true });
  return out;
}
