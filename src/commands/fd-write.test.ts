import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { plainFd, writeAllSync } from './fd-write.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('writes whole texts straight to a file descriptor that is a file or /dev/null, never to a terminal', () => {
  dir = mkdtempSync(join(tmpdir(), 'progeny-fd-'));
  const file = join(dir, 'out.txt');
  const fd = openSync(file, 'w');
  const devNull = openSync('/dev/null', 'w');
  try {
    expect(plainFd(fd)).toBe(true);
    expect(plainFd(devNull)).toBe(true);
    const text = `${'é'.repeat(100_000)}\nend\n`;
    writeAllSync(fd, text);
    writeAllSync(devNull, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
  } finally {
    closeSync(fd);
    closeSync(devNull);
  }
  // A descriptor that is not open is not plain: the caller keeps the stream.
  expect(plainFd(987)).toBe(false);
});
