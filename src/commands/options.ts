/**
 * Typed option parsers for commander's `.argParser()`: each turns the text typed on the command line into the value
 * the command receives, or throws InvalidArgumentError with the reason. The error boundary (commanderToProgeny in
 * src/cli.ts) words that reason with the flag the user actually typed (`-k must be …`, not `--limit must be …`).
 * Loaded at start-up with the command tree, so it imports nothing heavier than commander.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max]. */
export const intOption =
  (min: number, max: number) =>
  (value: string): number => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };

/** A number in [0, 1] (salience). */
export const unitOption = (value: string): number => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

/** A comma-separated list whose every item is one of `choices` (`--kind fact,summary`). */
export const listOption =
  <T extends string>(choices: readonly T[]) =>
  (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (!items.length || bad.length)
      throw new InvalidArgumentError(`must be one or more of ${choices.join(', ')} (comma-separated)`);
    return items as T[];
  };

/** A non-empty name (an actor); `*` is kept as is and means "every actor" where the command says so. */
export const nameOption = (value: string): string => {
  if (!value.trim()) throw new InvalidArgumentError("must be a name (or '*' for every actor)");
  return value.trim();
};

/** A duration in seconds, ≥ 0 (fractions allowed). */
export const secondsOption = (value: string): number => {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds ≥ 0');
  return n;
};

/** An address to bind, e.g. 127.0.0.1 or 0.0.0.0. */
export const addressOption = (value: string): string => {
  if (!value.trim()) throw new InvalidArgumentError('needs an address, e.g. 127.0.0.1 or 0.0.0.0');
  return value.trim();
};

/** Repeatable options: `--threshold a --threshold b` collects both. */
export const collect = (value: string, prev: string[] = []): string[] => [...prev, value];
