/**
 * The companion tools: its state (limbic variables and posture), who it is (the heritage's identity summary), and one
 * chat turn. A turn that no model answered is labelled offline, in the structured result and in the text a model
 * reads, so an agent never passes a memory-only reply off as the companion's own words.
 */
import { offlineHintFor } from '../core/engine/create.js';
import { OFFLINE_LABEL } from '../core/engine/offline-reply.js';
import { collectTurn, whileAllowed } from '../server/chat-turn.js';
import { chatBodySchema } from '../server/routes/chat.js';
import type { McpTool } from './tool.js';

const unit = { type: 'number', minimum: 0, maximum: 1 };

export const stateGet: McpTool = {
  name: 'state_get',
  title: "The companion's state",
  description:
    "Read the companion's current emotional state (trust, warmth, arousal, valence, each 0–1) and its conversational posture, to match its mood and register.",
  capability: 'chat',
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  outputSchema: {
    type: 'object',
    required: ['trust', 'warmth', 'arousal', 'valence', 'posture', 'tier', 'flags'],
    properties: {
      trust: unit,
      warmth: unit,
      arousal: unit,
      valence: unit,
      posture: { type: 'string' },
      tier: { type: 'integer' },
      flags: { type: 'array', items: { type: 'string' } },
      slumber: { type: 'boolean' },
      crisis: { type: 'boolean' },
      interactionCount: { type: 'integer' },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, { engine }) {
    const s = engine.state.read();
    const structured = {
      trust: s.trust,
      warmth: s.warmth,
      arousal: s.arousal,
      valence: s.valence,
      posture: s.posture,
      tier: s.tier,
      flags: s.flags,
      slumber: s.slumber,
      crisis: s.crisis,
      interactionCount: s.interactionCount,
    };
    return { structured, summary: `posture ${s.posture}, trust ${s.trust.toFixed(2)}, warmth ${s.warmth.toFixed(2)}` };
  },
};

export const heritageGet: McpTool = {
  name: 'heritage_get',
  title: 'Who the companion is',
  description:
    'Read who the companion is: its name, what it calls the user, its prime directive, traits, values and boundaries, as a short identity summary.',
  capability: 'chat',
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  outputSchema: {
    type: 'object',
    required: ['version', 'name', 'creator', 'summary'],
    properties: {
      version: { type: 'integer' },
      name: { type: 'string' },
      creator: { type: 'string' },
      summary: { type: 'string' },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, { engine }) {
    const h = engine.heritage.current();
    const summary = engine.heritage.summary();
    return { structured: { version: h.version, name: h.doc.name, creator: h.doc.creator, summary } };
  },
};

export const chat: McpTool = {
  name: 'chat',
  title: 'Talk to the companion',
  description:
    'Send the companion one message and get its reply (it recalls its memories and its state moves); pass conversationId from an earlier reply to continue that conversation.',
  capability: 'chat',
  // POST /v1/chat's rules for the message and the conversation (docs/api.md), without its transport options.
  inputSchema: {
    type: 'object',
    required: ['message'],
    additionalProperties: false,
    properties: {
      message: chatBodySchema.properties.message,
      conversationId: chatBodySchema.properties.conversationId,
    },
  },
  outputSchema: {
    type: 'object',
    required: ['reply', 'conversationId', 'mode', 'offline', 'interrupted', 'recalled'],
    properties: {
      reply: { type: 'string' },
      conversationId: { type: 'string' },
      mode: { type: 'string' },
      offline: { type: 'boolean' },
      offlineHint: { type: 'string' },
      interrupted: { type: 'boolean' },
      recalled: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'text'],
          properties: { id: { type: 'string' }, text: { type: 'string' } },
        },
      },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { engine, signal, turns, recheck }) {
    const conversationId = args.conversationId as string | undefined;
    // Fail fast on an unknown conversation, before the turn writes anything.
    if (conversationId) engine.conversations.get(conversationId);
    const turn = turns.start(signal);
    try {
      const events = engine.turn(
        { message: args.message as string, ...(conversationId ? { conversationId } : {}) },
        { signal: turn.controller.signal },
      );
      const r = await collectTurn(recheck ? whileAllowed(events, () => recheck('chat'), turn.controller) : events);
      const structured = {
        reply: r.reply,
        conversationId: r.conversationId,
        mode: r.mode,
        offline: r.offline,
        ...(r.offline ? { offlineHint: offlineHintFor(engine.config) } : {}),
        interrupted: r.interrupted,
        recalled: r.recalled.map((m) => ({ id: m.memory.id, text: m.memory.text })),
      };
      // The engine's offline replies carry the label already; a model must see it on every offline reply.
      const label = r.offline && !r.reply.startsWith(OFFLINE_LABEL) ? `${OFFLINE_LABEL} ` : '';
      return { structured, summary: `${label}${r.reply}` };
    } finally {
      turn.done();
    }
  },
};
