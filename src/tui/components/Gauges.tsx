/** The limbic gauges (trust, warmth, arousal, valence) and the posture, in one line or two on narrow terminals. */
import { Box, Text } from 'ink';
import type { LimbicSnapshot } from '../../core/limbic/types.js';
import { bar, GAUGE_VARIABLES } from '../gauge.js';
import { gaugeBarWidth } from '../screen-rows.js';
import type { Theme } from '../theme.js';

export function Gauges({ state, width, theme }: { state: LimbicSnapshot; width: number; theme: Theme }) {
  const barWidth = gaugeBarWidth(width);
  return (
    <Box width={width} flexWrap="wrap" columnGap={2}>
      {GAUGE_VARIABLES.map((v) => (
        <Text key={v}>
          <Text color={theme.ink.dim}>{v} </Text>
          <Text color={theme.ink.accent}>{bar(state[v], barWidth)}</Text>
          <Text> {state[v].toFixed(2)}</Text>
        </Text>
      ))}
      <Text>
        <Text color={theme.ink.dim}>posture </Text>
        <Text bold>{state.posture}</Text>
        {state.crisis ? <Text color={theme.ink.warn}> crisis</Text> : null}
      </Text>
    </Box>
  );
}
