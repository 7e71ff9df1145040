/** Slash-command completion under the input: the matching commands with their usage (Tab completes, and cycles). */
import { Box, Text } from 'ink';
import { completions } from '../slash.js';
import type { Theme } from '../theme.js';

const SHOWN = 7;

/** Rows the menu takes for this input (the live region's budget counts them). */
export function menuRows(input: string): number {
  const n = completions(input).length;
  return n > SHOWN ? SHOWN + 1 : n;
}

export function SlashMenu({ input, theme }: { input: string; theme: Theme }) {
  const matches = completions(input);
  if (!matches.length) return null;
  const more = matches.length - SHOWN;
  return (
    <Box flexDirection="column" paddingX={2}>
      {matches.slice(0, more > 0 ? SHOWN : matches.length).map((c) => (
        <Text key={c.name} wrap="truncate-end">
          <Text color={theme.ink.accent}>{c.usage}</Text>
          <Text color={theme.ink.dim}> {c.help}</Text>
        </Text>
      ))}
      {more > 0 ? (
        <Text color={theme.ink.dim} wrap="truncate-end">
          … {more} more: type more letters, or Tab to step through them
        </Text>
      ) : null}
    </Box>
  );
}
