/**
 * The WebSocket message schema (docs/api.md, "WebSocket"): what a client may send, checked field by field so a bad
 * message gets an `error` reply naming the field and the reason, and never reaches the engine.
 */
import { MAX_MESSAGE_CHARS } from '../core/engine/turn.js';
import type { EngineEvent, EngineNotice } from '../core/events.js';
import type { ErrorJson } from '../core/errors.js';
import type { LimbicSnapshot } from '../core/limbic/types.js';
import { parseJsonText, type JsonBodyError } from './json-body.js';

export const TOPICS = ['limbic', 'memory', 'heritage', 'mode', 'embedder'] as const;

/**
 * Close codes the server uses (docs/api.md, "WebSocket"): 1001 on shutdown; 4401 when the connection's token was
 * revoked, 4403 when it lost the chat capability — checked on every message in either direction and every heartbeat.
 */
export const WS_CLOSE = {
  shutdown: { code: 1001, reason: 'server shutting down' },
  revoked: { code: 4401, reason: 'token revoked' },
  forbidden: { code: 4403, reason: 'token lacks the chat capability' },
} as const;
export type Topic = (typeof TOPICS)[number];

export type ClientMessage =
  | { type: 'ping'; id?: string }
  | { type: 'state.get'; id?: string }
  | { type: 'subscribe' | 'unsubscribe'; id?: string; topics: Topic[] }
  | { type: 'chat'; id: string; message: string; conversationId?: string; actor?: string; continueReply?: boolean }
  | { type: 'cancel'; id: string };

export type ServerMessage =
  | { type: 'hello'; version: string; api: 'v1'; topics: readonly Topic[] }
  | { type: 'pong'; id?: string; t: number }
  | { type: 'state'; id?: string; state: LimbicSnapshot }
  | { type: 'subscribed'; id?: string; topics: Topic[] }
  | { type: 'chat.event'; id: string; event: EngineEvent }
  | { type: 'notice'; notice: EngineNotice }
  | { type: 'error'; id?: string; error: ErrorJson };

export class WsMessageError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly id?: string,
  ) {
    super(`${field} ${reason}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optString(o: Record<string, unknown>, key: string, max: number, id?: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new WsMessageError(key, `must be a string of 1..${max} characters`, id);
  return v;
}

export function parseClientMessage(raw: string): ClientMessage {
  let o: unknown;
  try {
    o = parseJsonText(raw, '');
  } catch (err) {
    const e = err as JsonBodyError;
    throw e.kind === 'content'
      ? new WsMessageError(e.field ?? 'message', e.reason ?? 'is invalid')
      : new WsMessageError('message', 'is not valid JSON');
  }
  if (!isObj(o)) throw new WsMessageError('message', 'must be a JSON object');
  const id = typeof o.id === 'string' && o.id.length <= 100 ? o.id : undefined;
  const checkedId = optString(o, 'id', 100);
  switch (o.type) {
    case 'ping':
    case 'state.get':
      return { type: o.type, ...(checkedId ? { id: checkedId } : {}) };
    case 'subscribe':
    case 'unsubscribe': {
      const topics = o.topics ?? [...TOPICS];
      if (!Array.isArray(topics) || !topics.every((t) => (TOPICS as readonly unknown[]).includes(t))) {
        throw new WsMessageError('topics', `must be a list of ${TOPICS.join(', ')}`, id);
      }
      return { type: o.type, topics: topics as Topic[], ...(checkedId ? { id: checkedId } : {}) };
    }
    case 'chat': {
      if (!checkedId) throw new WsMessageError('id', 'is required: events of this turn carry it', id);
      // continueReply (as on POST /v1/chat, docs/api.md): continue the conversation's last reply, cut at the token
      // limit; it needs the conversation and takes no message.
      const continueReply = o.continueReply;
      if (continueReply !== undefined && typeof continueReply !== 'boolean')
        throw new WsMessageError('continueReply', 'must be true or false', id);
      const message = continueReply && o.message === undefined ? '' : o.message;
      if (typeof message !== 'string' || (!continueReply && !message.trim()))
        throw new WsMessageError('message', 'must be a non-empty string', id);
      if (message.length > MAX_MESSAGE_CHARS)
        throw new WsMessageError('message', `must be at most ${MAX_MESSAGE_CHARS} characters`, id);
      const conversationId = optString(o, 'conversationId', 64, id);
      if (continueReply && !conversationId)
        throw new WsMessageError('conversationId', 'is required with continueReply: the conversation to continue', id);
      const actor = optString(o, 'actor', 100, id);
      return {
        type: 'chat',
        id: checkedId,
        message,
        ...(conversationId ? { conversationId } : {}),
        ...(actor ? { actor } : {}),
        ...(continueReply ? { continueReply } : {}),
      };
    }
    case 'cancel':
      if (!checkedId) throw new WsMessageError('id', 'is required: the id of the chat to cancel', id);
      return { type: 'cancel', id: checkedId };
    default:
      throw new WsMessageError('type', 'must be one of ping, state.get, subscribe, unsubscribe, chat, cancel', id);
  }
}
