/**
 * The heritage document (docs/domain.md, "Heritage"): an immutable base (name, creator, prime directive, core traits,
 * values, boundaries) and an evolvable surface (voice, interests, style, aspirations, notes).
 */
import { usageError } from '../errors.js';

export interface Voice {
  formality: number;
  humor: string;
  vocabulary_markers: string[];
  sentence_rhythm: string;
}

export interface Heritage {
  name: string;
  creator: string;
  prime_directive: string;
  core_traits: string[];
  values: string[];
  boundaries: string[];
  voice: Voice;
  interests: string[];
  style: string;
  aspirations: string;
  notes: string;
}

/** Changing these needs an explicit `allowBase` (CLI: --allow-base-change): they are who the companion is. */
export const BASE_FIELDS = ['name', 'creator', 'prime_directive', 'core_traits', 'values', 'boundaries'] as const;
export const HERITAGE_FIELDS = [...BASE_FIELDS, 'voice', 'interests', 'style', 'aspirations', 'notes'] as const;
export type HeritageField = (typeof HERITAGE_FIELDS)[number];

const MAX_TEXT = 4000;
const MAX_ITEMS = 64;

function text(v: unknown, field: string, required: boolean): string {
  if (v === undefined && !required) return '';
  if (typeof v !== 'string') throw usageError(`heritage.${field} must be a string`);
  if (required && v.trim() === '') throw usageError(`heritage.${field} must not be empty`);
  if (v.length > MAX_TEXT) throw usageError(`heritage.${field} is longer than ${MAX_TEXT} characters`);
  return v;
}

function list(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw usageError(`heritage.${field} must be a list of strings`);
  }
  if (v.length > MAX_ITEMS) throw usageError(`heritage.${field} has more than ${MAX_ITEMS} items`);
  return v.map((x: string) => text(x, field, true));
}

/** Validates an untrusted document (file, API body, synced change) into a Heritage; throws USAGE with the field. */
export function validateHeritage(input: unknown): Heritage {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw usageError('a heritage must be a JSON object');
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(HERITAGE_FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    throw usageError(`unknown heritage field(s): ${unknown.join(', ')}`, `fields are: ${HERITAGE_FIELDS.join(', ')}`);
  const v = (o.voice ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) throw usageError('heritage.voice must be an object');
  const formality = v.formality ?? 0.5;
  if (typeof formality !== 'number' || !(formality >= 0 && formality <= 1))
    throw usageError('heritage.voice.formality must be a number in [0, 1]');
  return {
    name: text(o.name, 'name', true),
    creator: text(o.creator, 'creator', true),
    prime_directive: text(o.prime_directive, 'prime_directive', true),
    core_traits: list(o.core_traits, 'core_traits'),
    values: list(o.values, 'values'),
    boundaries: list(o.boundaries, 'boundaries'),
    voice: {
      formality,
      humor: text(v.humor, 'voice.humor', false),
      vocabulary_markers: list(v.vocabulary_markers, 'voice.vocabulary_markers'),
      sentence_rhythm: text(v.sentence_rhythm, 'voice.sentence_rhythm', false),
    },
    interests: list(o.interests, 'interests'),
    style: text(o.style, 'style', false),
    aspirations: text(o.aspirations, 'aspirations', false),
    notes: text(o.notes, 'notes', false),
  };
}

/** Canonical JSON (sorted keys) so equal documents hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function changedFields(a: Heritage, b: Heritage): HeritageField[] {
  return HERITAGE_FIELDS.filter((f) => canonicalJson(a[f]) !== canonicalJson(b[f]));
}

export interface HeritageVersion {
  version: number;
  createdAt: number;
  reason: string;
  trust: number;
  hash: string;
  changed: HeritageField[];
  doc: Heritage;
}

export interface HeritageService {
  exists(): boolean;
  /** The newest version; throws NO_HERITAGE before `progeny init`. */
  current(): HeritageVersion;
  summary(): string;
  show(version: number): HeritageVersion;
  history(): Omit<HeritageVersion, 'doc'>[];
  /** Replaces the document (validated); base fields change only with allowBase. No-op changes are refused. */
  update(
    doc: unknown,
    reason: string,
    opts?: { allowBase?: boolean; trust?: number; origin?: string },
  ): HeritageVersion;
  restore(version: number, reason?: string): HeritageVersion;
}
