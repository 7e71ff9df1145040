/**
 * A list to choose from, shown above the input box (which gives up the keys meanwhile): Up/Down move, Enter picks,
 * Esc closes. Used for conversations (/conversations) and models (/model). It takes at most `rows` rows.
 */
import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { Theme } from '../theme.js';
import { oneLine } from '../wrap.js';

export interface PickerItem {
  label: string;
  detail?: string;
}

export interface PickerSpec {
  title: string;
  items: PickerItem[];
  /** Where the cursor starts. */
  initial?: number;
  onPick(index: number): void;
  /** Extra keys: a letter and what it does ("n" → new conversation). */
  extra?: { key: string; label: string; run(): void };
}

export function Picker({
  spec,
  width,
  rows,
  theme,
  onClose,
}: {
  spec: PickerSpec;
  width: number;
  rows: number;
  theme: Theme;
  onClose(): void;
}) {
  const [at, setAtState] = useState(Math.min(spec.initial ?? 0, Math.max(0, spec.items.length - 1)));
  // Read by the key handler: keys can arrive before a re-render hands it the new position.
  const atRef = useRef(at);
  const setAt = (i: number): void => {
    atRef.current = i;
    setAtState(i);
  };
  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c')) return onClose();
    if (key.upArrow) return setAt(Math.max(0, atRef.current - 1));
    if (key.downArrow) return setAt(Math.min(spec.items.length - 1, atRef.current + 1));
    if (key.return && spec.items.length) {
      onClose();
      return spec.onPick(atRef.current);
    }
    if (spec.extra && input === spec.extra.key) {
      onClose();
      spec.extra.run();
    }
  });
  const room = Math.max(1, rows - 3);
  const first = Math.min(Math.max(0, at - room + 1), Math.max(0, spec.items.length - room));
  const keys = `↑↓ Enter picks · Esc closes${spec.extra ? ` · ${spec.extra.key} ${spec.extra.label}` : ''}`;
  return (
    <Box flexDirection="column" marginTop={1} width={width}>
      <Text bold>{oneLine(spec.title, width)}</Text>
      {spec.items.slice(first, first + room).map((item, k) => {
        const i = first + k;
        const line = oneLine(`${i === at ? '› ' : '  '}${item.label}${item.detail ? `  ${item.detail}` : ''}`, width);
        return (
          <Text key={i} {...(i === at ? { color: theme.ink.accent, bold: true } : {})}>
            {line}
          </Text>
        );
      })}
      {!spec.items.length ? <Text color={theme.ink.dim}> (nothing to pick)</Text> : null}
      <Text color={theme.ink.dim}>{oneLine(keys, width)}</Text>
    </Box>
  );
}
