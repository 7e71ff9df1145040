/**
 * An object whose properties are made on first read, then kept as plain values. Every engine command builds every
 * service, and preparing a SQLite statement costs 10–150 µs (parsed and planned against the schema): a service that
 * keeps its statements in one of these prepares only those a command runs (docs/performance.md "Start-up").
 */
export function onFirstUse<T extends Record<string, unknown>>(make: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(make) as (keyof T)[])
    Object.defineProperty(out, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        const value = make[key]();
        Object.defineProperty(out, key, { value, enumerable: true });
        return value;
      },
    });
  return out;
}
