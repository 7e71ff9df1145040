/**
 * The only writer. Commands return a CommandResult (data + a declarative view) and this module prints it: the view
 * as aligned text for people, the data as JSON with --json; NDJSON for streams; progress and diagnostics on stderr.
 * Colour via node:util styleText, honouring --no-color, NO_COLOR, FORCE_COLOR and whether the stream is a TTY.
 */
import { styleText } from 'node:util';
import type { ProgenyError } from '../core/errors.js';
import { renderView, tableNotes, type View } from './render.js';
import { cliHint } from './hints.js';

export type { View } from './render.js';

export interface CommandResult<T = unknown> {
  data: T;
  view: View;
  /** Non-zero when the command completed but must report failure (e.g. doctor found problems). */
  exitCode?: number;
}

/** A command that wrote its own output as a stream (NDJSON lines): only its exit code is left to apply. */
export interface StreamedResult {
  streamed: true;
  exitCode: number;
}

export interface OutputOptions {
  json: boolean;
  color?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

type Style = Parameters<typeof styleText>[0];

export function colorEnabled(stream: { isTTY?: boolean }, flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (flag === false || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly errColor: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  private progressShown = false;
  private lastProgress = 0;

  constructor(opts: OutputOptions) {
    const env = opts.env ?? process.env;
    this.json = opts.json;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.color = colorEnabled(this.stdout, opts.color, env);
    this.errColor = colorEnabled(this.stderr, opts.color, env);
  }

  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }

  style(s: Style, text: string, stream: 'out' | 'err' = 'out'): string {
    return (stream === 'out' ? this.color : this.errColor) ? styleText(s, text) : text;
  }

  print(result: CommandResult): void {
    this.endProgress();
    if (this.json) this.stdout.write(`${JSON.stringify(result.data, jsonReplacer)}\n`);
    else {
      const tsv = this.stdout.isTTY !== true;
      const style = (s: Style, t: string): string => this.style(s, t);
      const text = renderView(result.view, { style, width: this.stdout.columns ?? 100, tsv });
      if (text) this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      if (tsv) for (const note of tableNotes(result.view)) this.notice(note);
    }
  }

  /** One NDJSON line (streams such as `chat --stream`). */
  event(obj: unknown): void {
    this.stdout.write(`${JSON.stringify(obj, jsonReplacer)}\n`);
  }

  /** Raw text to stdout as it arrives (a streamed reply in human mode). */
  write(text: string): void {
    this.stdout.write(text);
  }

  /** Progress on stderr, only on a TTY, at most ~10 times a second. */
  progress(label: string, done: number, total?: number): void {
    if (!this.interactive) return;
    const now = Date.now();
    if (now - this.lastProgress < 100 && done !== total) return;
    this.lastProgress = now;
    const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
    this.stderr.write(`\r\x1b[2K${this.style('cyan', label, 'err')} ${done}${total ? `/${total}` : ''}${pct}`);
    this.progressShown = true;
  }

  /** Machine-readable progress on stderr (NDJSON), for --json runs that scripts watch. */
  progressEvent(obj: Record<string, unknown>): void {
    this.stderr.write(`${JSON.stringify({ progress: obj })}\n`);
  }

  endProgress(): void {
    if (this.progressShown) this.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }

  /** A diagnostic for people, on stderr (never mixed into JSON on stdout). */
  notice(message: string): void {
    this.endProgress();
    this.stderr.write(`${this.style('dim', `progeny: ${message}`, 'err')}\n`);
  }

  /** A warning and its hint (already in the CLI's words: src/commands/hints.ts). */
  warn(message: string, hint?: string): void {
    this.endProgress();
    this.stderr.write(`${this.style('yellow', 'progeny: warning:', 'err')} ${message}\n`);
    if (hint) this.stderr.write(`  ${this.style('dim', `hint: ${hint}`, 'err')}\n`);
  }

  /** The error boundary's rendering: one line and a hint; JSON on stdout with --json; the stack only with --debug. */
  error(err: ProgenyError, debug: boolean): void {
    this.endProgress();
    // The hint in the CLI's words (the commands that do it); the actions stay as data beside it in JSON.
    const hint = cliHint(err);
    if (this.json) this.stdout.write(`${JSON.stringify({ error: { ...err.toJSON(), ...(hint ? { hint } : {}) } })}\n`);
    else {
      this.stderr.write(`${this.style('red', 'progeny: error:', 'err')} ${err.message}\n`);
      if (hint) this.stderr.write(`  ${this.style('dim', `hint: ${hint}`, 'err')}\n`);
    }
    if (debug) {
      const cause = err.cause instanceof Error ? err.cause : err;
      this.stderr.write(`${cause.stack ?? String(cause)}\n`);
    }
  }
}

/** Typed arrays (vectors) are summarised rather than dumped as index-keyed objects. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return { dimensions: value.length };
  return value;
}
