/** The memories a reply recalled: one collapsed line (Ctrl+O expands it) or one line per memory with its score. */
import { Box, Text } from 'ink';
import type { RecalledLine } from '../state.js';
import type { Theme } from '../theme.js';

export interface RecallProps {
  memories: RecalledLine[];
  expanded: boolean;
  width: number;
  theme: Theme;
  /** Shown after the collapsed line while it can still expand. */
  hint?: boolean;
  /** In the live region: at most this many rows, one per memory (the full texts go to scrollback later). */
  maxRows?: number;
}

export function RecallView({ memories, expanded, width, theme, hint, maxRows }: RecallProps) {
  if (!memories.length) return <Text color={theme.ink.dim}>⟲ no memories recalled</Text>;
  const n = memories.length;
  if (!expanded) {
    const first = memories[0]?.text.replace(/\s+/g, ' ') ?? '';
    return (
      <Box width={width}>
        <Text color={theme.ink.dim} wrap="truncate-end">
          ⟲ recalled {n} {n === 1 ? 'memory' : 'memories'}
          {hint ? ' (Ctrl+O)' : ''}: {first}
        </Text>
      </Box>
    );
  }
  const fit = maxRows === undefined ? n : Math.max(1, Math.min(n, maxRows - 1 - (n > maxRows - 1 ? 1 : 0)));
  return (
    <Box flexDirection="column" width={width}>
      <Text color={theme.ink.dim} wrap="truncate-end">
        ⟲ recalled {n} {n === 1 ? 'memory' : 'memories'} (score = 0.7·similarity + 0.2·freshness + 0.1·salience):
      </Text>
      {memories.slice(0, fit).map((m) => (
        <Box key={m.id} paddingLeft={2}>
          <Text color={theme.ink.dim}>{m.score.toFixed(2)} </Text>
          <Box flexShrink={1}>
            {maxRows === undefined ? (
              <Text>{m.text}</Text>
            ) : (
              <Text wrap="truncate-end">{m.text.replace(/\s+/g, ' ')}</Text>
            )}
          </Box>
        </Box>
      ))}
      {fit < n ? (
        <Text color={theme.ink.dim}> … {n - fit} more; all of them in full once the next message is sent</Text>
      ) : null}
    </Box>
  );
}
