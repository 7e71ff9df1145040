/**
 * perTurn(compute): a value computed at most once per event-loop turn, for the hottest reads (GET /v1/state).
 *
 * Why this is as fresh as computing it per request: the requests answered in one turn were all read from their sockets
 * in that turn's poll phase, so each was sent before the value was computed, and its reply goes out after. Computing
 * the value once, at a moment inside every one of those requests' lifetimes, is a valid answer for each of them (the
 * read is linearizable); a write another process commits after that moment is concurrent with them, and the next turn
 * (setImmediate runs before the next poll) computes afresh. Under load this turns one SQLite read transaction per
 * request (three syscalls: two fcntl locks and an fstat) into one per batch; an idle server computes per request.
 * `stamp` covers writes made in this process during the turn (which did not happen concurrently with the requests
 * that follow them): when it changes, the value is computed again.
 */
export interface PerTurn<T> {
  (): T;
  /** Forgets the value now (a write made by this process, which later requests in this turn must see). */
  invalidate(): void;
}

export function perTurn<T>(compute: () => T, stamp: () => unknown = () => 0): PerTurn<T> {
  let value: T | undefined;
  let at: unknown;
  let held = false;
  let scheduled = false;
  const clear = (): void => {
    held = false;
    value = undefined;
  };
  const endOfTurn = (): void => {
    scheduled = false;
    clear();
  };
  const get = (): T => {
    const s = stamp();
    if (held && s === at) return value as T;
    const v = compute();
    value = v;
    at = s;
    held = true;
    if (!scheduled) {
      scheduled = true;
      setImmediate(endOfTurn);
    }
    return v;
  };
  return Object.assign(get, { invalidate: clear });
}
