/** What a chat turn needs from the engine; the engine wires it, tests supply doubles. */
import type { Clock } from '../clock.js';
import type { UlidFactory } from '../ids.js';
import type { Config } from '../config/schema.js';
import type { Mode, NoticeBus, TurnStats } from '../events.js';
import type { HeritageService } from '../heritage/service.js';
import type { Hint } from '../hints.js';
import type { LimbicService } from '../limbic/service.js';
import type { ResponseCache } from '../llm/response-cache.js';
import type { LlmProvider } from '../llm/types.js';
import type { MemoryApi } from '../memory/api.js';
import type { ConversationService, MessageStatus } from './conversations.js';

export interface TurnDeps {
  clock: Clock;
  /** The engine's id factory (turn ids). */
  ids: UlidFactory;
  config: Config;
  limbic: LimbicService;
  heritage: HeritageService;
  memory: MemoryApi;
  conversations: ConversationService;
  llm: LlmProvider | null;
  cache: ResponseCache | null;
  notices: NoticeBus;
  /** The degradation mode, re-probing the model first when a backoff has passed since it failed. */
  refreshMode(signal?: AbortSignal): Promise<Mode>;
  /** How to connect a model: carried by an OFFLINE turn's `done` event and a DEAD turn's error, never in the reply. */
  offlineHint(): Hint;
  reportLlmFailure(err: unknown): void;
  reportLlmSuccess(): void;
  reportMemoryFailure(err: unknown): void;
  observeTurn(stats: TurnStats, status: MessageStatus, flags: { cached: boolean; offline: boolean }): void;
}
