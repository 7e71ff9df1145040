/**
 * POST /v1/chat: one chat turn. Without `stream` the reply is one JSON result; with `stream: true` it is Server-Sent
 * Events, one per engine event (`event: <type>`, `data: <event JSON>`), ending with `done` or `error`.
 */
import { MAX_MESSAGE_CHARS } from '../../core/engine/turn.js';
import { ProgenyError } from '../../core/errors.js';
import { collectTurn, turnEvents, type ChatRequest } from '../chat-turn.js';
import type { RouteModule } from '../context.js';
import { sendSse, sseFrame } from '../sse.js';

export const chatBodySchema = {
  type: 'object',
  // `message` is required unless the turn continues a cut reply (checked in the handler, with the same message).
  additionalProperties: false,
  properties: {
    message: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_CHARS, pattern: '\\S' },
    conversationId: { type: 'string', minLength: 1, maxLength: 64 },
    actor: { type: 'string', minLength: 1, maxLength: 100 },
    stream: { type: 'boolean' },
    continueReply: { type: 'boolean' },
  },
} as const;

export const chatRoutes: RouteModule = (app, ctx) => {
  app.post<{ Body: ChatRequest & { stream?: boolean } }>(
    '/v1/chat',
    { config: { cap: 'chat' }, schema: { body: chatBodySchema } },
    async (req, reply) => {
      const { stream, ...input } = req.body;
      if (input.message === undefined && !input.continueReply) {
        throw new ProgenyError('VALIDATION', 'body.message is required', {
          details: [{ field: 'body.message', reason: 'is required' }],
        });
      }
      if (input.continueReply && !input.conversationId) {
        throw new ProgenyError('VALIDATION', 'body.continueReply needs body.conversationId', {
          hint: 'a cut reply is continued in the conversation it is in',
        });
      }
      // Fail fast (404) on an unknown conversation, before any streaming starts.
      if (input.conversationId) ctx.engine.conversations.get(input.conversationId);
      if (!stream) return collectTurn(turnEvents(ctx, reply, input));
      async function* frames(): AsyncGenerator<string> {
        for await (const e of turnEvents(ctx, reply, input)) yield sseFrame(e.type, e);
      }
      return sendSse(reply, frames());
    },
  );
};
