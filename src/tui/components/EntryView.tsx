/** One finished entry of the conversation: your message, a reply (Markdown), a recall line, or a notice. */
import { Box, Text } from 'ink';
import { memo } from 'react';
import { renderMarkdown } from '../markdown.js';
import { wrapPlain } from '../wrap.js';
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

const USER_LABEL = 'you › ';

function EntryViewImpl({ entry, name, width, theme }: EntryProps) {
  switch (entry.kind) {
    case 'user': {
      // Wrapped here, in cells, under the label: Ink's own wrap of a flex row drops the label's space and splits
      // words (issue 13, item 1).
      const [first = '', ...rest] = wrapPlain(entry.text, width, USER_LABEL);
      return (
        <Box marginTop={1} flexDirection="column">
          <Text>
            <Text bold color={theme.ink.user}>
              {USER_LABEL}
            </Text>
            {first.slice(USER_LABEL.length)}
            {rest.length ? '\n' + rest.join('\n') : ''}
          </Text>
        </Box>
      );
    }
    case 'assistant': {
      const tags = [
        entry.offline ? 'offline: from memory' : '',
        entry.truncated ? 'cut at the token limit: /continue' : entry.interrupted ? 'interrupted' : '',
      ].filter(Boolean);
      return (
        <Box flexDirection="column" marginTop={1}>
          <ReplyHeader name={name} theme={theme} tags={tags} />
          {entry.thoughtWords ? (
            <Text color={theme.ink.dim}>{`▸ thought for ${entry.thoughtWords} words (/thinking shows it)`}</Text>
          ) : null}
          <Text>{renderMarkdown(entry.text, { width: width - 1, theme, raw: entry.raw }).join('\n')}</Text>
          {entry.truncated ? <Text color={theme.ink.warn}>[cut at the token limit]</Text> : null}
        </Box>
      );
    }
    case 'recall':
      return <RecallView memories={entry.memories} expanded={entry.expanded} width={width} theme={theme} />;
    case 'notice':
      return (
        <Box flexDirection="column" marginTop={1}>
          <Text color={entry.tone === 'error' ? theme.ink.error : theme.ink.dim}>
            {wrapPlain(entry.text, width, entry.tone === 'error' ? '✗ ' : '').join('\n')}
          </Text>
          {entry.hint ? <Text color={theme.ink.warn}>{wrapPlain(entry.hint, width, 'hint: ').join('\n')}</Text> : null}
        </Box>
      );
  }
}

export const EntryView = memo(EntryViewImpl);
