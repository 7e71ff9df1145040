/** Slash-command completion under the input: the matching commands with their usage (Tab completes). */
import { Box, Text } from 'ink';
import { completions } from '../slash.js';
import type { Theme } from '../theme.js';

export function SlashMenu({ input, theme }: { input: string; theme: Theme }) {
  const matches = completions(input);
  if (!matches.length) return null;
  return (
    <Box flexDirection="column" paddingX={2}>
      {matches.slice(0, 8).map((c) => (
        <Text key={c.name} wrap="truncate-end">
          <Text color={theme.ink.accent}>{c.usage}</Text>
          <Text color={theme.ink.dim}> {c.help}</Text>
        </Text>
      ))}
    </Box>
  );
}
