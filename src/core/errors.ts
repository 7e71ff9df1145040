/**
 * Typed errors with a stable code, an exit code and a hint. Thrown anywhere, caught at one boundary
 * (src/main.ts for the CLI, the server's error handler for HTTP) and rendered there.
 */

/** Process exit codes; documented in the README and kept in sync with it by a test. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  llm: 4,
  store: 5,
  sync: 6,
  auth: 7,
  benchThreshold: 10,
  benchRegression: 11,
  benchInvalid: 12,
  interrupted: 130,
} as const;
export type ExitCodeName = keyof typeof ExitCode;

export interface ErrorJson {
  code: string;
  message: string;
  hint?: string;
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

  readonly [BRAND] = true;
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(
    code: string,
    message: string,
    options: { exit?: ExitCodeName; hint?: string; cause?: unknown; details?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProgenyError';
    this.code = code;
    this.exitCode = ExitCode[options.exit ?? 'unexpected'];
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): ErrorJson {
    const out: ErrorJson = { code: this.code, message: this.message };
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isProgenyError(err: unknown): err is ProgenyError {
  return err instanceof ProgenyError;
}

export const usageError = (message: string, hint?: string): ProgenyError =>
  new ProgenyError('USAGE', message, { exit: 'usage', ...(hint ? { hint } : {}) });

export const notFound = (what: string, id: string | number, hint?: string): ProgenyError =>
  new ProgenyError('NOT_FOUND', `${what} ${String(id)} not found`, {
    exit: 'usage',
    hint: hint ?? `list the available ${what} ids first`,
  });

export const configError = (message: string, hint?: string): ProgenyError =>
  new ProgenyError('CONFIG', message, { exit: 'config', ...(hint ? { hint } : {}) });

export const storeError = (message: string, cause?: unknown, hint?: string): ProgenyError =>
  new ProgenyError('STORE', message, {
    exit: 'store',
    cause,
    hint: hint ?? 'run `progeny doctor` to check the home and its database',
  });

export const llmError = (
  code: string,
  message: string,
  hint?: string,
  cause?: unknown,
  details?: unknown,
): ProgenyError =>
  new ProgenyError(code, message, {
    exit: 'llm',
    cause,
    hint: hint ?? 'run `progeny doctor` to check the model server, or set llm.provider=offline',
    ...(details === undefined ? {} : { details }),
  });

export const interrupted = (message = 'interrupted'): ProgenyError =>
  new ProgenyError('INTERRUPTED', message, { exit: 'interrupted' });

/** Wraps anything thrown into a ProgenyError so the boundary has one shape to render. */
export function toProgenyError(err: unknown): ProgenyError {
  if (err instanceof ProgenyError) return err;
  if (err instanceof Error && err.name === 'AbortError') return interrupted();
  const message = err instanceof Error ? err.message : String(err);
  return new ProgenyError('UNEXPECTED', message, {
    exit: 'unexpected',
    cause: err,
    hint: 'this is a bug in progeny; run again with --debug and report the stack trace',
  });
}
