/**
 * A test terminal for the TUI's component tests: like ink-testing-library, but with a size the test chooses and can
 * change (a resize event, as a real terminal sends). Frames are Ink's debug output: everything printed to scrollback
 * so far, then the live region. Layout checks measure each line in cells with string-width, never string.length.
 */
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';
import stringWidth from 'string-width';

class TermStdout extends EventEmitter {
  frames: string[] = [];
  /** Everything written outside Ink's frames (clear-screen escapes, OSC 52). */
  raw: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (s: string): boolean => {
    this.frames.push(s);
    return true;
  };
}

class TermStdin extends EventEmitter {
  isTTY = true;
  data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface TestTerm {
  stdin: TermStdin;
  stdout: TermStdout;
  lastFrame(): string;
  resize(columns: number, rows?: number): void;
  unmount(): void;
}

export function renderTerm(tree: ReactElement, o: { columns?: number; rows?: number } = {}): TestTerm {
  const stdout = new TermStdout(o.columns ?? 100, o.rows ?? 30);
  const stdin = new TermStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new TermStdout(100, 30) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdin,
    stdout,
    lastFrame: () => stdout.frames[stdout.frames.length - 1] ?? '',
    resize(columns, rows = stdout.rows) {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
    },
    unmount: () => instance.unmount(),
  };
}

// eslint-disable-next-line no-control-regex -- stripping colour escapes to read the text
const SGR = /\x1b\[[0-9;]*m/g;

/** The frame's lines without colours. */
export const frameLines = (frame: string): string[] => frame.replace(SGR, '').split('\n');

/** Lines of the frame wider than `columns` cells (each with its width), for a readable failure. */
export function overflowing(frame: string, columns: number): { width: number; line: string }[] {
  return frameLines(frame)
    .map((line) => ({ width: stringWidth(line), line }))
    .filter((l) => l.width > columns);
}
