import { describe, expect, it } from 'vitest';
import { parseClientMessage, WsMessageError } from './ws-protocol.js';

describe('WebSocket messages are parsed strictly', () => {
  it('refuses a lone surrogate and a __proto__ key, naming the field', () => {
    const lone = (): unknown => parseClientMessage('{"type":"chat","id":"c","message":"half: \\ud83d"}');
    expect(lone).toThrow(WsMessageError);
    expect(lone).toThrow(/^message contains a lone surrogate/);
    expect(() => parseClientMessage('{"type":"ping","__proto__":{}}')).toThrow(/^__proto__ is not allowed/);
    expect(parseClientMessage('{"type":"chat","id":"c","message":"pair: \\ud83d\\ude00"}')).toMatchObject({
      message: 'pair: 😀',
    });
  });

  it('takes continueReply with a conversation and no message, as POST /v1/chat does', () => {
    expect(parseClientMessage('{"type":"chat","id":"c","continueReply":true,"conversationId":"k1"}')).toEqual({
      type: 'chat',
      id: 'c',
      message: '',
      conversationId: 'k1',
      continueReply: true,
    });
    expect(() => parseClientMessage('{"type":"chat","id":"c","continueReply":true}')).toThrow(/^conversationId/);
    expect(() => parseClientMessage('{"type":"chat","id":"c","continueReply":"yes","message":"x"}')).toThrow(
      /^continueReply must be true or false/,
    );
    expect(() => parseClientMessage('{"type":"chat","id":"c","continueReply":false}')).toThrow(/^message/);
  });
});
