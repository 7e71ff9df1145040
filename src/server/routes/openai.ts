/**
 * OpenAI-compatible endpoints, so the official SDKs and UIs built for them talk to the companion: POST
 * /v1/chat/completions (streaming and not) and GET /v1/models. The companion's memory, state and heritage apply: the
 * newest user message is one engine turn. Its history is the client's earlier user and assistant messages, as
 * OpenAI clients resend the whole conversation; with the `x-progeny-conversation` header (every reply carries it)
 * and no earlier messages, the engine's stored conversation is the history instead. System messages are not used:
 * the companion's heritage is its system prompt.
 */
import { MAX_MESSAGE_CHARS } from '../../core/engine/turn.js';
import type { ChatMessage } from '../../core/llm/types.js';
import type { EngineEvent } from '../../core/events.js';
import type { RecallInfo } from '../../core/memory/types.js';
import { collectTurn, type TurnResult, turnEvents } from '../chat-turn.js';
import type { RouteContext, RouteModule } from '../context.js';
import { ProgenyError } from '../../core/errors.js';
import { sendSse, sseFrame } from '../sse.js';

type Content = string | { type: string; text?: string }[] | null;
interface CompletionBody {
  model: string;
  messages: { role: string; content?: Content }[];
  stream?: boolean;
  user?: string;
}

const bodySchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 200 },
    stream: { type: 'boolean' },
    user: { type: 'string', maxLength: 100 },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['role'],
        properties: {
          role: { type: 'string', enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
          content: {
            anyOf: [
              { type: 'string' },
              { type: 'null' },
              {
                type: 'array',
                maxItems: 100,
                items: {
                  type: 'object',
                  required: ['type'],
                  properties: { type: { type: 'string' }, text: { type: 'string' } },
                },
              },
            ],
          },
        },
      },
    },
  },
} as const;

const textOf = (c: Content | undefined): string =>
  typeof c === 'string'
    ? c
    : Array.isArray(c)
      ? c
          .filter((p) => p.type === 'text' && typeof p.text === 'string')
          .map((p) => p.text)
          .join('\n')
      : '';

export const MODEL_ID = 'progeny';

/** The client's earlier user and assistant messages with text, as prompt history. */
function earlierTurns(messages: CompletionBody['messages']): ChatMessage[] {
  return messages.flatMap((m) => {
    const content = textOf(m.content).trim();
    return (m.role === 'user' || m.role === 'assistant') && content ? [{ role: m.role, content }] : [];
  });
}

function modelsList(ctx: RouteContext) {
  const created = Math.floor(ctx.startedAt / 1000);
  return { object: 'list', data: [{ id: MODEL_ID, object: 'model', created, owned_by: 'progeny' }] };
}

/** A whole completion in OpenAI's shape, with the companion's own ids and mode under `progeny`. */
function completion(r: TurnResult, created: number, model: string) {
  const tokens = r.stats?.tokens ?? 0;
  return {
    id: `chatcmpl-${r.turnId}`,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: r.reply,
          ...(r.thinking ? { reasoning_content: r.thinking } : {}),
        },
        finish_reason: r.interrupted || r.truncated ? 'length' : 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: tokens, total_tokens: tokens },
    progeny: {
      conversationId: r.conversationId,
      messageId: r.messageId,
      mode: r.mode,
      offline: r.offline,
      cached: r.cached,
      ...(r.recall ? { recall: r.recall } : {}),
      // How to connect a model, beside the message: `content` is the companion's words alone.
      ...(r.hint ? { hint: r.hint } : {}),
    },
  };
}

/** The turn's events as OpenAI `chat.completion.chunk` SSE frames, ending with `[DONE]`. */
async function* completionChunks(
  events: AsyncIterable<EngineEvent>,
  created: number,
  model: string,
): AsyncGenerator<string> {
  let id = 'chatcmpl-';
  let recall: RecallInfo | undefined;
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: object = {}): string =>
    sseFrame(undefined, {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...extra,
    });
  for await (const e of events) {
    if (e.type === 'start') {
      id = `chatcmpl-${e.turnId}`;
      yield chunk({ role: 'assistant', content: '' }, null);
    } else if (e.type === 'token') yield chunk({ content: e.text }, null);
    // A thinking model's reasoning, as vLLM and DeepSeek stream it.
    else if (e.type === 'thinking') yield chunk({ reasoning_content: e.text }, null);
    else if (e.type === 'recall') recall = e.recall;
    // The last chunk carries an OFFLINE reply's hint and how recall went beside the choices, never in a `content` delta.
    else if (e.type === 'done') {
      const progeny = { ...(e.hint ? { hint: e.hint } : {}), ...(recall ? { recall } : {}) };
      yield chunk({}, e.interrupted || e.truncated ? 'length' : 'stop', Object.keys(progeny).length ? { progeny } : {});
    } else if (e.type === 'error') yield sseFrame(undefined, { error: { ...e.error, type: 'server_error' } });
  }
  yield sseFrame(undefined, '[DONE]');
}

export const openAiRoutes: RouteModule = (app, ctx) => {
  app.get('/v1/models', { config: { cap: 'chat' } }, async () => modelsList(ctx));
  app.get<{ Params: { id: string } }>('/v1/models/:id', { config: { cap: 'chat' } }, async (req) => {
    const m = modelsList(ctx).data.find((d) => d.id === req.params.id);
    if (!m)
      throw new ProgenyError('NOT_FOUND', `model ${req.params.id} not found`, {
        hint: `this server offers the model "${MODEL_ID}"`,
      });
    return m;
  });

  app.post<{ Body: CompletionBody }>(
    '/v1/chat/completions',
    { config: { cap: 'chat' }, schema: { body: bodySchema } },
    async (req, reply) => {
      const lastIndex = req.body.messages.map((m) => m.role).lastIndexOf('user');
      const last = req.body.messages[lastIndex];
      const message = textOf(last?.content).trim();
      if (!message)
        throw new ProgenyError('VALIDATION', 'body.messages needs a user message with text', {
          hint: 'the newest message with role "user" is the one the companion answers',
        });
      if (message.length > MAX_MESSAGE_CHARS)
        throw new ProgenyError('VALIDATION', `the user message is longer than ${MAX_MESSAGE_CHARS} characters`);
      const header = req.headers['x-progeny-conversation'];
      // A new conversation is created up front so its id can go out in the headers, streaming or not.
      const conversationId =
        typeof header === 'string' && header
          ? ctx.engine.conversations.get(header).id
          : ctx.engine.conversations.create('creator').id;
      reply.header('x-progeny-conversation', conversationId);
      const history = earlierTurns(req.body.messages.slice(0, Math.max(0, lastIndex)));
      const input = { message, conversationId, ...(history.length || !header ? { history } : {}) };
      const created = Math.floor(Date.now() / 1000);
      const model = req.body.model;

      if (!req.body.stream) return completion(await collectTurn(turnEvents(ctx, reply, input)), created, model);
      return sendSse(reply, completionChunks(turnEvents(ctx, reply, input), created, model));
    },
  );
};
