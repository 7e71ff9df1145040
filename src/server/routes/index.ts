/** Every built-in route module, one per resource. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';
import { chatRoutes } from './chat.js';
import { conversationRoutes } from './conversations.js';
import { healthRoutes } from './health.js';
import { heritageRoutes } from './heritage.js';
import { mcpRoutes } from './mcp.js';
import { memoryRoutes } from './memories.js';
import { memoryItemRoutes } from './memory-item.js';
import { metricsRoutes } from './metrics.js';
import { openAiRoutes } from './openai.js';
import { stateRoutes } from './state.js';

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const mod of [
    healthRoutes,
    stateRoutes,
    heritageRoutes,
    memoryRoutes,
    memoryItemRoutes,
    conversationRoutes,
    chatRoutes,
    openAiRoutes,
    metricsRoutes,
    mcpRoutes,
  ]) {
    mod(app, ctx);
  }
}
