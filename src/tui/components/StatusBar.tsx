/** The status line: mode, model, memory count, last turn latency and speed, and the keys that matter right now. */
import { Box, Text } from 'ink';
import type { StatusInfo } from '../state.js';
import type { Theme } from '../theme.js';

export interface StatusBarProps {
  status: StatusInfo;
  busy: boolean;
  exitArmed: boolean;
  theme: Theme;
  width: number;
}

const MODE_COLOR: Record<StatusInfo['mode'], 'ok' | 'warn' | 'error' | 'dim'> = {
  FULL: 'ok',
  AMNESIA: 'warn',
  OFFLINE: 'warn',
  DEAD: 'error',
  PROBING: 'dim',
};

export function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export const kilo = (n: number): string => (n < 1000 ? String(n) : `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`);

/** The last reply's tokens against the context window: "1.2k/8k ctx 15%", or "1.2k ctx" when the window is unknown. */
export function contextUse(s: StatusInfo): string | null {
  if (s.promptTokens === null && s.completionTokens === null) return null;
  const used = (s.promptTokens ?? 0) + (s.completionTokens ?? 0);
  if (!s.contextTokens) return `${kilo(used)} ctx`;
  return `${kilo(used)}/${kilo(s.contextTokens)} ctx ${Math.round((100 * used) / s.contextTokens)}%`;
}

/** The status line's three items: the mode, the details (model, counts, speed), the keys that matter now. */
export function statusItems(status: StatusInfo, busy: boolean, exitArmed: boolean): [string, string, string] {
  const parts: string[] = [];
  if (status.model) parts.push(status.model);
  if (status.memoryCount !== null)
    parts.push(`${status.memoryCount} ${status.memoryCount === 1 ? 'memory' : 'memories'}`);
  if (status.latencyMs !== null) parts.push(formatLatency(status.latencyMs));
  if (status.tokensPerSecond !== null) parts.push(`${status.tokensPerSecond.toFixed(0)} tok/s`);
  const context = contextUse(status);
  if (context) parts.push(context);
  const keys = exitArmed ? 'Ctrl+C again to quit' : busy ? 'Ctrl+C cancels' : '/help · Ctrl+D quits';
  return [status.mode === 'PROBING' ? 'probing…' : status.mode, parts.join(' · '), keys];
}

export function StatusBar({ status, busy, exitArmed, theme, width }: StatusBarProps) {
  const [mode, details, keys] = statusItems(status, busy, exitArmed);
  return (
    <Box width={width} flexWrap="wrap" columnGap={2}>
      <Text bold color={theme.ink[MODE_COLOR[status.mode]]}>
        {mode}
      </Text>
      {details ? <Text color={theme.ink.dim}>{details}</Text> : null}
      <Text color={exitArmed ? theme.ink.warn : theme.ink.dim}>{keys}</Text>
    </Box>
  );
}
