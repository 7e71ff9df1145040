/**
 * The only writer. Commands return a CommandResult (data + a declarative view) and this module prints it: the view
 * as aligned text for people, the data as JSON with --json; NDJSON for streams; progress and diagnostics on stderr.
 * Colour via node:util styleText, honouring --no-color, NO_COLOR, FORCE_COLOR and whether the stream is a TTY.
 */
import { styleText } from 'node:util';
import type { ProgenyError } from '../core/errors.js';
import { plainFd, writeAllSync } from './fd-write.js';
import { renderView, tableNotes, type View } from './render.js';

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
  private progressShown = false;
  private lastProgress = 0;
  private colors: { out?: boolean; err?: boolean } = {};

  // process.stdout and process.stderr are created when first used: output to a file, a pipe or /dev/null is written
  // to the descriptor directly (fd-write.ts), so a command that prints a result never pays for creating a stream.
  constructor(private readonly opts: OutputOptions) {
    this.json = opts.json;
  }

  get stdout(): NodeJS.WriteStream {
    return this.opts.stdout ?? process.stdout;
  }

  get stderr(): NodeJS.WriteStream {
    return this.opts.stderr ?? process.stderr;
  }

  /** Whether stdout (out) or stderr (err) is a terminal, without creating the stream when it surely is not. */
  private isTTY(which: 'out' | 'err'): boolean {
    const injected = which === 'out' ? this.opts.stdout : this.opts.stderr;
    if (injected) return injected.isTTY === true;
    if (plainFd(which === 'out' ? 1 : 2)) return false;
    return (which === 'out' ? this.stdout : this.stderr).isTTY === true;
  }

  get color(): boolean {
    return (this.colors.out ??= colorEnabled(
      { isTTY: this.isTTY('out') },
      this.opts.color,
      this.opts.env ?? process.env,
    ));
  }

  get errColor(): boolean {
    return (this.colors.err ??= colorEnabled(
      { isTTY: this.isTTY('err') },
      this.opts.color,
      this.opts.env ?? process.env,
    ));
  }

  private out(text: string): void {
    if (!this.opts.stdout && plainFd(1)) writeAllSync(1, text);
    else this.stdout.write(text);
  }

  private err(text: string): void {
    if (!this.opts.stderr && plainFd(2)) writeAllSync(2, text);
    else this.stderr.write(text);
  }

  get interactive(): boolean {
    return this.isTTY('err');
  }

  style(s: Style, text: string, stream: 'out' | 'err' = 'out'): string {
    return (stream === 'out' ? this.color : this.errColor) ? styleText(s, text) : text;
  }

  print(result: CommandResult): void {
    this.endProgress();
    if (this.json) this.out(`${JSON.stringify(result.data, jsonReplacer)}\n`);
    else {
      const tsv = !this.isTTY('out');
      const style = (s: Style, t: string): string => this.style(s, t);
      const text = renderView(result.view, { style, width: (!tsv && this.stdout.columns) || 100, tsv });
      if (text) this.out(text.endsWith('\n') ? text : `${text}\n`);
      if (tsv) for (const note of tableNotes(result.view)) this.notice(note);
    }
  }

  /** One NDJSON line (streams such as `chat --stream`). */
  event(obj: unknown): void {
    this.out(`${JSON.stringify(obj, jsonReplacer)}\n`);
  }

  /** Raw text to stdout as it arrives (a streamed reply in human mode). */
  write(text: string): void {
    this.out(text);
  }

  /** Progress on stderr, only on a TTY, at most ~10 times a second. */
  progress(label: string, done: number, total?: number): void {
    if (!this.interactive) return;
    const now = Date.now();
    if (now - this.lastProgress < 100 && done !== total) return;
    this.lastProgress = now;
    const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
    this.err(`\r\x1b[2K${this.style('cyan', label, 'err')} ${done}${total ? `/${total}` : ''}${pct}`);
    this.progressShown = true;
  }

  /** Machine-readable progress on stderr (NDJSON), for --json runs that scripts watch. */
  progressEvent(obj: Record<string, unknown>): void {
    this.err(`${JSON.stringify({ progress: obj })}\n`);
  }

  endProgress(): void {
    if (this.progressShown) this.err('\r\x1b[2K');
    this.progressShown = false;
  }

  /** A diagnostic for people, on stderr (never mixed into JSON on stdout). */
  notice(message: string): void {
    this.endProgress();
    this.err(`${this.style('dim', `progeny: ${message}`, 'err')}\n`);
  }

  warn(message: string, hint?: string): void {
    this.endProgress();
    this.err(`${this.style('yellow', 'progeny: warning:', 'err')} ${message}\n`);
    if (hint) this.err(`  ${this.style('dim', `hint: ${hint}`, 'err')}\n`);
  }

  /** The error boundary's rendering: one line and a hint; JSON on stdout with --json; the stack only with --debug. */
  error(err: ProgenyError, debug: boolean): void {
    this.endProgress();
    if (this.json) this.out(`${JSON.stringify({ error: err.toJSON() })}\n`);
    else {
      this.err(`${this.style('red', 'progeny: error:', 'err')} ${err.message}\n`);
      if (err.hint) this.err(`  ${this.style('dim', `hint: ${err.hint}`, 'err')}\n`);
    }
    if (debug) {
      const cause = err.cause instanceof Error ? err.cause : err;
      this.err(`${cause.stack ?? String(cause)}\n`);
    }
  }
}

/** Typed arrays (vectors) are summarised rather than dumped as index-keyed objects. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return { dimensions: value.length };
  return value;
}
