/** Small hooks: the terminal size (follows resizes), and token batching at one dispatch per frame. */
import { useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

function sizeOf(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

/**
 * Collects streamed text and hands it over at most once per `frameMs`: a fast model sends hundreds of tokens per
 * second, and one React update (and one Ink frame) per token would be wasted work.
 */
export function useBatcher(flushTo: (text: string) => void, frameMs = 16): { add(text: string): void; flush(): void } {
  const buf = useRef('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const target = useRef(flushTo);
  target.current = flushTo;
  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const text = buf.current;
    buf.current = '';
    if (text) target.current(text);
  }, []);
  const add = useCallback(
    (text: string) => {
      buf.current += text;
      timer.current ??= setTimeout(flush, frameMs);
    },
    [flush, frameMs],
  );
  useEffect(() => flush, [flush]);
  // Stable across renders, so callbacks that use it (and the input handler) are not re-created per token batch.
  return useMemo(() => ({ add, flush }), [add, flush]);
}
