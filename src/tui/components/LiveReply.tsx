/**
 * The reply while it streams: the live region Ink redraws. It shows only the tail that fits the screen, because a
 * live region taller than the terminal is what makes Ink apps flicker and leave garbage; the full reply goes to
 * scrollback once, when it is done.
 */
import { Box, Text } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import stringWidth from 'string-width';
import { renderMarkdown } from '../markdown.js';
import type { LiveTurn } from '../state.js';
import type { Theme } from '../theme.js';
import { ReplyHeader } from './EntryView.js';
import { RecallView } from './RecallView.js';

export interface LiveReplyProps {
  live: LiveTurn;
  name: string;
  width: number;
  maxRows: number;
  raw: boolean;
  theme: Theme;
}

/**
 * Before the first token: how long the model has been silent, so a server that never answers is visible; that the
 * server is loading the model (which takes tens of seconds); or, collapsed to one line, what a thinking model thinks.
 */
function Waiting({ live, width, theme }: { live: LiveTurn; width: number; theme: Theme }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.max(0, Math.floor((now - live.startedAt) / 1000));
  if (live.thinking) {
    const words = live.thinking.trim().split(/\s+/).length;
    const head = `▸ thinking (${words} words) `;
    return <Text color={theme.ink.dim}>{head + tail(live.thinking, width - 1 - stringWidth(head))}</Text>;
  }
  if (live.loading) {
    return <Text color={theme.ink.dim}>{`… loading model ${live.loading}: ${s} s (Ctrl+C cancels)`}</Text>;
  }
  return <Text color={theme.ink.dim}>{s < 2 ? '…' : `… waiting for the model: ${s} s (Ctrl+C cancels)`}</Text>;
}

/** The end of `text` on one line, at most `cells` terminal cells wide (cut between graphemes). */
function tail(text: string, cells: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (stringWidth(flat) <= cells) return flat;
  const graphemes = [...new Intl.Segmenter().segment(flat)].map((g) => g.segment);
  let used = 1; // the leading ellipsis
  let from = graphemes.length;
  while (from > 0 && used + stringWidth(graphemes[from - 1]!) <= cells) used += stringWidth(graphemes[--from]!);
  return `…${graphemes.slice(from).join('')}`;
}

export function LiveReply({ live, name, width, maxRows, raw, theme }: LiveReplyProps) {
  const lines = useMemo(
    () => renderMarkdown(live.text, { width: width - 1, theme, raw }),
    [live.text, width, theme, raw],
  );
  // The margin above, the recall line and the header take a row each.
  const room = Math.max(1, maxRows - (live.recalled ? 3 : 2));
  const hidden = Math.max(0, lines.length - room);
  return (
    <Box flexDirection="column" marginTop={1}>
      {live.recalled ? <RecallView memories={live.recalled} expanded={false} width={width} theme={theme} /> : null}
      <ReplyHeader
        name={name}
        theme={theme}
        tags={hidden ? [`${hidden} more lines above, shown in full when done`] : []}
      />
      {live.text ? <Text>{lines.slice(hidden).join('\n')}</Text> : <Waiting live={live} width={width} theme={theme} />}
    </Box>
  );
}
