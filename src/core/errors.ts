/**
 * Typed errors with a stable code from the catalogue (src/core/error-codes.ts, docs/errors.md): the code decides the
 * exit code and the HTTP status, so a failure means the same on every front end. Thrown anywhere, caught at one
 * boundary (src/main.ts for the CLI, the server's error handler for HTTP) and rendered there.
 *
 *     throw new ProgenyError('NOT_FOUND', `memory ${id} not found`, { hint: 'list them', actions: [act('memory.list')] });
 *
 * A hint is plain words plus structured actions (src/core/hints.ts): each front end renders the actions its own way.
 */
import { ERROR_CATALOGUE, ExitCode, isErrorCode, type ErrorCode } from './error-codes.js';
import { hintActionsFrom, type Hint, type HintAction } from './hints.js';

export {
  ERROR_CATALOGUE,
  ERROR_CODES,
  ExitCode,
  isErrorCode,
  type ErrorCode,
  type ExitCodeName,
} from './error-codes.js';

/** An error as JSON: the body of `{ "error": … }` on every front end and in the turn's `error` event. */
export interface ErrorJson {
  code: ErrorCode;
  message: string;
  /** What the person can do about it, in plain words (no command syntax). */
  hint?: string;
  /** The actions that do it (docs/errors.md, "Hints"); absent when there are none. */
  actions?: HintAction[];
  details?: unknown;
}

export interface ErrorOptions {
  /** What the person can do about it, in plain words; the catalogue's default hint when omitted. */
  hint?: string;
  /** The actions that do what the hint says; with no hint, the catalogue's default hint's actions. */
  actions?: HintAction[];
  cause?: unknown;
  /** Machine-readable facts for API clients (e.g. the field that failed validation). */
  details?: unknown;
}

/** Marks ProgenyErrors across copies of this module (the CLI entry is bundled, the commands are not). */
const BRAND = Symbol.for('progeny.ProgenyError');

export class ProgenyError extends Error {
  /**
   * `instanceof ProgenyError` holds for an error from any copy of this class (the bundled CLI entry and dist/ each
   * have one); subclasses keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ProgenyError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Rebuilds an error that crossed a boundary as JSON (a turn's `error` event, a child process, a relay reply). */
  static fromJSON(json: {
    code: string;
    message: string;
    hint?: string;
    actions?: unknown;
    details?: unknown;
  }): ProgenyError {
    const options: ErrorOptions = json.hint === undefined ? {} : { hint: json.hint };
    if (json.actions !== undefined) options.actions = hintActionsFrom(json.actions);
    if (!isErrorCode(json.code))
      return new ProgenyError('UNEXPECTED', json.message, { ...options, details: { code: json.code } });
    return new ProgenyError(
      json.code,
      json.message,
      json.details === undefined ? options : { ...options, details: json.details },
    );
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly actions: readonly HintAction[];
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProgenyError';
    this.code = code;
    const spec: { hint: string | null; actions?: readonly HintAction[] } = ERROR_CATALOGUE[code];
    this.hint = options.hint ?? spec.hint ?? undefined;
    // A thrower's own hint comes with its own actions (or none); the catalogue's default hint with the catalogue's.
    this.actions = options.actions ?? (options.hint === undefined ? (spec.actions ?? []) : []);
    this.details = options.details;
  }

  /** The process exit code for this failure (README "Exit codes"). */
  get exitCode(): number {
    return ExitCode[ERROR_CATALOGUE[this.code].exit];
  }

  /** The HTTP status for this failure (docs/errors.md). */
  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  toJSON(): ErrorJson {
    const out: ErrorJson = { code: this.code, message: this.message };
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.actions.length) out.actions = [...this.actions];
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isProgenyError(err: unknown): err is ProgenyError {
  return err instanceof ProgenyError;
}

/** A hint given as plain words, or as words with actions, as error options. */
export const hintOptions = (hint: string | Hint | undefined): ErrorOptions =>
  !hint ? {} : typeof hint === 'string' ? { hint } : { hint: hint.text, actions: hint.actions };

export const usageError = (message: string, hint?: string | Hint): ProgenyError =>
  new ProgenyError('USAGE', message, hintOptions(hint));

export const notFound = (what: string, id: string | number, hint?: string | Hint): ProgenyError =>
  new ProgenyError(
    'NOT_FOUND',
    `${what} ${String(id)} not found`,
    hintOptions(hint ?? `list the available ${what} ids first`),
  );

export const configError = (message: string, hint?: string | Hint): ProgenyError =>
  new ProgenyError('CONFIG', message, hintOptions(hint));

export const storeError = (message: string, cause?: unknown, hint?: string | Hint): ProgenyError =>
  new ProgenyError('STORE', message, { cause, ...hintOptions(hint) });

export const interrupted = (message = 'interrupted'): ProgenyError => new ProgenyError('INTERRUPTED', message);

/** Wraps anything thrown into a ProgenyError so the boundary has one shape to render. */
export function toProgenyError(err: unknown): ProgenyError {
  if (err instanceof ProgenyError) return err;
  if (err instanceof Error && err.name === 'AbortError') return interrupted();
  const message = err instanceof Error ? err.message : String(err);
  return new ProgenyError('UNEXPECTED', message, { cause: err });
}
