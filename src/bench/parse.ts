/** Small parsers for bench flags: durations ("2s", "500ms", "1m", a bare number is seconds), globs, percentages. */
import { usageError } from '../core/errors.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/;

export function parseDuration(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw usageError(`${flag} "${text}" is not a duration`, 'use e.g. 500ms, 2s or 1m');
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export function parsePositiveInt(text: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw usageError(`${flag} must be a whole number from 1 to ${max}, not "${text}"`);
  return n;
}

/** "10%" or "10" → 0.1. */
export function parsePercent(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
  if (!m) throw usageError(`${flag} "${text}" is not a percentage`, 'use e.g. 10%');
  return Number(m[1]) / 100;
}

/** A comma-separated list of globs (* and ?) as one predicate; an empty list matches everything. */
export function globMatcher(globs: string | undefined): (name: string) => boolean {
  const parts = (globs ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (!parts.length) return () => true;
  const res = parts.map(
    (g) =>
      new RegExp(
        `^${g
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  return (name) => res.some((r) => r.test(name));
}

const SIZE = /^(\d+(?:\.\d+)?)([km]?)$/i;

/** "10k,100k,1M" → [10000, 100000, 1000000]: dataset sizes for --memories, ascending, each from 1 to max. */
export function parseSizeList(text: string, flag: string, max: number): number[] {
  const sizes = text.split(',').map((part) => {
    const m = SIZE.exec(part.trim());
    const n = m ? Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw usageError(
        `${flag} takes sizes from 1 to ${max} (e.g. 100000, 100k or 1m), not "${part.trim()}"`,
        `e.g. ${flag} 10k,100k,1m`,
      );
    return n;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}
