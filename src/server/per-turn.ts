/**
 * perTurn(compute, stamp): a value computed at most once per event-loop turn, for the hottest reads (GET /v1/state).
 *
 * Why this stays fresh: requests are read from their sockets in a turn's poll phase, and the value is dropped in that
 * turn's check phase (setImmediate), before the next poll. So the requests that share one value were, in the usual
 * case, all received before it was computed: one read at a moment inside each of their lifetimes is a valid answer
 * for every one of them, and a change another process commits later is concurrent with them and seen from the next
 * turn on. (A value computed outside the poll phase, e.g. for a pipelined request resumed by a write callback, can
 * also serve requests read in the following poll: a change is then seen at most one turn later, well under 1 ms.)
 * `stamp` covers writes made by this process within the turn: when it moves, the value is computed again.
 *
 * Under load this turns one SQLite read transaction per request (three syscalls: two fcntl locks and an fstat, seen
 * with strace -c) into one per batch of requests; an idle server computes per request.
 */
export function perTurn<T>(compute: () => T, stamp: () => unknown = () => 0): () => T {
  let value: T | undefined;
  let at: unknown;
  // A value is held from its first computation in a turn until that turn's check phase drops it.
  let held = false;
  const endOfTurn = (): void => {
    held = false;
    value = undefined;
  };
  return (): T => {
    const s = stamp();
    if (held && s === at) return value as T;
    if (!held) setImmediate(endOfTurn);
    value = compute();
    at = s;
    held = true;
    return value;
  };
}
