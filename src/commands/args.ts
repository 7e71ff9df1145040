/** Parsing and validating command-line values into typed ones, with usage errors that name the flag. */
import { createReadStream } from 'node:fs';
import { usageError } from '../core/errors.js';
import { nodeReadline } from '../core/lazy-builtins.js';
import { MEMORY_KINDS, type MemoryKind } from '../core/memory/types.js';

export function intArg(value: unknown, flag: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw usageError(`${flag} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

export function unitArg(value: unknown, flag: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && value.trim() === '') throw usageError(`${flag} must be a number from 0 to 1`);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw usageError(`${flag} must be a number from 0 to 1, got "${String(value)}"`);
  return n;
}

export function kindArg(value: unknown, flag = '--kind'): MemoryKind {
  if (typeof value !== 'string' || !(MEMORY_KINDS as readonly string[]).includes(value)) {
    throw usageError(`${flag} must be one of ${MEMORY_KINDS.join(', ')}, got "${String(value)}"`);
  }
  return value as MemoryKind;
}

export function optional<T>(value: unknown, parse: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

export function joinWords(args: string[]): string {
  return args.join(' ').trim();
}

/** Lines of a file, or of stdin for "-", read lazily (large imports never sit in memory whole). */
export function readLines(file: string, stdin: NodeJS.ReadableStream): AsyncIterable<string> {
  const input = file === '-' ? stdin : createReadStream(file, { encoding: 'utf8' });
  // node:readline is loaded here, not by every command that parses an argument (docs/performance.md, "Start-up").
  return nodeReadline().createInterface({ input, crlfDelay: Infinity });
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const date = (ms: number | null | undefined): string =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) : '–';
