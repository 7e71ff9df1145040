/**
 * What start-chat renders: a frame right away (the input box and "starting…"), then the chat screen once the engine
 * is open. Opening the engine (store, memory index, model client) takes longer than drawing, and the user should
 * see the screen first. If opening fails, the screen closes and the error goes to the usual error output.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { ChatApp, type ChatAppProps } from './ChatApp.js';
import { prevBoundary, wellFormed } from './editor.js';
import { useTerminalSize } from './hooks.js';
import type { Theme } from './theme.js';

export type ReadyProps = Omit<ChatAppProps, 'onExit' | 'onKey'>;

export interface ChatRootProps {
  open: Promise<ReadyProps>;
  theme: Theme;
  onFailed(err: unknown): void;
  onReady?: () => void;
  onKey?: () => void;
}

/** The first frame. What the user types meanwhile is kept and handed to the input box when the screen is ready. */
export function Starting({ theme, typed }: { theme: Theme; typed: { current: string } }) {
  const { columns } = useTerminalSize();
  const [text, setText] = useState(typed.current);
  useInput((input, key) => {
    if (key.ctrl || key.meta || key.return || key.escape || key.tab) return;
    typed.current =
      key.backspace || key.delete
        ? typed.current.slice(0, prevBoundary(typed.current, typed.current.length))
        : typed.current + wellFormed(input.replace(/[\r\n]+/g, ' '));
    setText(typed.current);
  });
  const width = Math.max(20, columns);
  return (
    <Box flexDirection="column" width={width} marginTop={1}>
      <Box borderStyle="round" borderColor={theme.ink.dim} paddingX={1}>
        <Text color={theme.ink.dim}>› </Text>
        <Text>{text}</Text>
      </Box>
      <Text color={theme.ink.dim}>starting…</Text>
    </Box>
  );
}

export function ChatRoot({ open, theme, onFailed, onReady, onKey }: ChatRootProps) {
  const [ready, setReady] = useState<ReadyProps | null>(null);
  const typed = useRef('');
  const { exit } = useApp();
  useEffect(() => {
    let live = true;
    open.then(
      (p) => live && setReady(p),
      (err: unknown) => {
        if (!live) return;
        onFailed(err);
        exit();
      },
    );
    return () => {
      live = false;
    };
  }, [open, onFailed, exit]);
  useEffect(() => {
    if (ready) onReady?.();
  }, [ready, onReady]);
  if (!ready) return <Starting theme={theme} typed={typed} />;
  return <ChatApp {...ready} initialInput={typed.current} {...(onKey ? { onKey } : {})} />;
}
