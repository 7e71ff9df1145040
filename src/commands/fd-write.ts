/**
 * Writing a command's output straight to its file descriptor when that is a file, a pipe or /dev/null, as scripts
 * run progeny: creating `process.stdout` loads node's stream and net machinery, ~15–19 ms of CPU per command
 * (docs/performance.md "Start-up"), more than some commands' own work. A terminal still gets the stream.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';

const plain = new Map<number, boolean>();

/** True when `fd` is surely not a terminal: a regular file, a pipe, a socket or /dev/null. */
export function plainFd(fd: number): boolean {
  let known = plain.get(fd);
  if (known === undefined) {
    try {
      const s = fstatSync(fd);
      known =
        process.platform !== 'win32' &&
        (s.isFile() || s.isFIFO() || s.isSocket() || (s.isCharacterDevice() && s.rdev === statSync('/dev/null').rdev));
    } catch {
      known = false;
    }
    plain.set(fd, known);
  }
  return known;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const closed = new Set<number>();

/**
 * Writes all of `text` synchronously. A pipe left non-blocking by another process answers EAGAIN when full: wait a
 * millisecond and go on. A reader that went away (EPIPE, e.g. `| head`) ends the output silently, as the stream would.
 */
export function writeAllSync(fd: number, text: string): void {
  if (closed.has(fd)) return;
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      else if (code === 'EPIPE') {
        closed.add(fd);
        return;
      } else throw err;
    }
  }
}
