/**
 * What start-chat renders: a frame right away (the input box and "starting…"), then the chat screen once the engine
 * is open. Opening the engine (store, memory index, model client) takes longer than drawing, and the user should
 * see the screen first. If opening fails, the screen closes and the error goes to the usual error output.
 */
import { Box, Text, useApp } from 'ink';
import { useEffect, useState } from 'react';
import { ChatApp, type ChatAppProps } from './ChatApp.js';
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

export function Starting({ theme }: { theme: Theme }) {
  const { columns } = useTerminalSize();
  const width = Math.max(20, columns);
  return (
    <Box flexDirection="column" width={width} marginTop={1}>
      <Box borderStyle="round" borderColor={theme.ink.dim} paddingX={1}>
        <Text color={theme.ink.dim}>› </Text>
      </Box>
      <Text color={theme.ink.dim}>starting…</Text>
    </Box>
  );
}

export function ChatRoot({ open, theme, onFailed, onReady, onKey }: ChatRootProps) {
  const [ready, setReady] = useState<ReadyProps | null>(null);
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
  if (!ready) return <Starting theme={theme} />;
  return <ChatApp {...ready} {...(onKey ? { onKey } : {})} />;
}
