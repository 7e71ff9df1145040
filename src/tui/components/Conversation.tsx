/**
 * The conversation: finished entries rendered once into the terminal's own scrollback (<Static>: never redrawn, so
 * no flicker and nothing lost), then the small live region: the streaming reply, or the last reply's recall line.
 */
import { Box, Static, Text } from 'ink';
import { useMemo } from 'react';
import type { ChatState } from '../state.js';
import type { Theme } from '../theme.js';
import { oneLine } from '../wrap.js';
import { EntryView } from './EntryView.js';
import { LiveReply } from './LiveReply.js';
import { RecallView } from './RecallView.js';

export interface ConversationProps {
  state: Pick<ChatState, 'epoch' | 'entries' | 'shownFrom' | 'live' | 'lastRecall' | 'raw'>;
  name: string;
  width: number;
  rows: number;
  theme: Theme;
  /** Messages sent while the reply streams, to go next. */
  queued?: readonly string[];
}

export function Conversation({ state, name, width, rows, theme, queued = [] }: ConversationProps) {
  // A stable slice start: <Static> prints the items past the length it last saw.
  const shown = useMemo(
    () => (state.shownFrom ? state.entries.slice(state.shownFrom) : state.entries),
    [state.entries, state.shownFrom],
  );
  return (
    <>
      <Static key={state.epoch} items={shown}>
        {(e) => <EntryView key={e.id} entry={e} name={name} width={width} theme={theme} />}
      </Static>
      {state.live ? (
        <LiveReply
          live={state.live}
          name={name}
          width={width}
          maxRows={rows - Math.min(queued.length, 3)}
          raw={state.raw}
          theme={theme}
        />
      ) : state.lastRecall ? (
        <Box>
          <RecallView
            memories={state.lastRecall.memories}
            expanded={state.lastRecall.expanded}
            width={width}
            theme={theme}
            hint
            maxRows={rows}
          />
        </Box>
      ) : null}
      {queued.slice(0, 3).map((q, i) => (
        <Text key={i} color={theme.ink.dim}>
          {oneLine(`⧗ queued: ${q}`, width)}
        </Text>
      ))}
    </>
  );
}
