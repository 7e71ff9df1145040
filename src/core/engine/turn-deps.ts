/** What a chat turn needs from the engine; the engine wires it, tests supply doubles. */
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Mode, NoticeBus, TurnStats } from '../events.js';
import type { HeritageService } from '../heritage/service.js';
import type { LimbicService } from '../limbic/service.js';
import type { ChatRequest, LlmProvider } from '../llm/types.js';
import type { MemoryApi } from '../memory/api.js';
import type { ConversationService, MessageStatus } from './conversations.js';

/** The exact-match response cache as the turn uses it. */
export interface ReplyCache {
  keyFor(provider: LlmProvider, req: ChatRequest): string;
  get(key: string): string | undefined;
  set(key: string, reply: string): void;
}

export interface TurnDeps {
  clock: Clock;
  config: Config;
  limbic: LimbicService;
  heritage: HeritageService;
  memory: MemoryApi;
  conversations: ConversationService;
  llm: LlmProvider | null;
  cache: ReplyCache | null;
  notices: NoticeBus;
  /** The current degradation mode from the last probes. */
  modeNow(): Mode;
  /** One line telling the user how to connect a model (shown in OFFLINE replies). */
  offlineHint(): string;
  reportLlmFailure(err: unknown): void;
  reportLlmSuccess(): void;
  reportMemoryFailure(err: unknown): void;
  observeTurn(stats: TurnStats, status: MessageStatus, flags: { cached: boolean; offline: boolean }): void;
}
