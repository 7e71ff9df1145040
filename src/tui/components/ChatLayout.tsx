/**
 * The chat screen's layout: the conversation (scrollback, then a live region kept shorter than the screen), a picker
 * over it when one is open, then the input box, the status line and the gauges. The live region gets the rows the
 * others leave (screen-rows.ts), so Ink never has to redraw the whole screen.
 */
import { Box } from 'ink';
import { useState } from 'react';
import { gaugeRows, statusRows } from '../screen-rows.js';
import { isBusy, type ChatState } from '../state.js';
import type { Theme } from '../theme.js';
import { Composer, type ComposerProps } from './Composer.js';
import { Conversation } from './Conversation.js';
import { Gauges } from './Gauges.js';
import { Picker, type PickerSpec } from './Picker.js';
import { StatusBar, statusItems } from './StatusBar.js';

export interface ChatLayoutProps {
  state: ChatState;
  name: string;
  width: number;
  rows: number;
  theme: Theme;
  queued: readonly string[];
  picker: PickerSpec | null;
  closePicker(): void;
  composer: Pick<ComposerProps, 'initialText' | 'onEffect' | 'history' | 'onKey' | 'injected'>;
}

export function ChatLayout({
  state,
  name,
  width,
  rows,
  theme,
  queued,
  picker,
  closePicker,
  composer,
}: ChatLayoutProps) {
  const busy = isBusy(state);
  const [composerRows, setComposerRows] = useState(3);
  const below =
    1 +
    composerRows +
    statusRows(statusItems(state.status, busy, state.exitArmed), width) +
    (state.limbic ? gaugeRows(state.limbic, width) : 0);
  const liveRows = Math.max(3, rows - below - 1);
  return (
    <Box flexDirection="column" width={width}>
      <Conversation state={state} name={name} width={width} rows={liveRows} theme={theme} queued={queued} />
      {picker ? <Picker spec={picker} width={width} rows={liveRows} theme={theme} onClose={closePicker} /> : null}
      <Box flexDirection="column" marginTop={1}>
        <Composer
          {...composer}
          busy={busy}
          width={width}
          theme={theme}
          maxLines={Math.max(3, Math.floor(rows / 3))}
          onHeight={setComposerRows}
          active={picker === null}
        />
        <StatusBar status={state.status} busy={busy} exitArmed={state.exitArmed} theme={theme} width={width} />
        {state.limbic ? <Gauges state={state.limbic} width={width} theme={theme} /> : null}
      </Box>
    </Box>
  );
}
