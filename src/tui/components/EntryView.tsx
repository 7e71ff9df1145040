/** One finished entry of the conversation: your message, a reply (Markdown), a recall line, or a notice. */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { renderMarkdown } from '../markdown.js';
import type { Entry } from '../state.js';
import type { Theme } from '../theme.js';
import { RecallView } from './RecallView.js';

export interface EntryProps {
  entry: Entry;
  name: string;
  width: number;
  theme: Theme;
}

export function ReplyHeader({ name, theme, tags }: { name: string; theme: Theme; tags: string[] }) {
  return (
    <Text>
      <Text bold color={theme.ink.assistant}>
        {name} ›
      </Text>
      {tags.length ? <Text color={theme.ink.dim}> ({tags.join(', ')})</Text> : null}
    </Text>
  );
}

function EntryViewImpl({ entry, name, width, theme }: EntryProps) {
  switch (entry.kind) {
    case 'user':
      return (
        <Box marginTop={1}>
          <Text bold color={theme.ink.user}>
            you ›{' '}
          </Text>
          <Box flexShrink={1}>
            <Text>{entry.text}</Text>
          </Box>
        </Box>
      );
    case 'assistant': {
      const tags = [entry.offline ? 'offline: from memory' : '', entry.interrupted ? 'interrupted' : ''].filter(
        Boolean,
      );
      return (
        <Box flexDirection="column" marginTop={1}>
          <ReplyHeader name={name} theme={theme} tags={tags} />
          <Text>{renderMarkdown(entry.text, { width: width - 1, theme, raw: entry.raw }).join('\n')}</Text>
        </Box>
      );
    }
    case 'recall':
      return <RecallView memories={entry.memories} expanded={entry.expanded} width={width} theme={theme} />;
    case 'notice':
      return (
        <Box flexDirection="column" marginTop={1}>
          <Text color={entry.tone === 'error' ? theme.ink.error : theme.ink.dim}>
            {entry.tone === 'error' ? '✗ ' : ''}
            {entry.text}
          </Text>
          {entry.hint ? <Text color={theme.ink.warn}>hint: {entry.hint}</Text> : null}
        </Box>
      );
  }
}

export const EntryView = memo(EntryViewImpl);
