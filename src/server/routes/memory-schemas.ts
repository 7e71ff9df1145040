/** The JSON schemas the memory routes share (docs/api.md, "Routes"): a memory's fields and its id in the path. */
import { MEMORY_KINDS } from '../../core/memory/types.js';

export const MAX_BATCH = 1000;
export const kind = { type: 'string', enum: [...MEMORY_KINDS] };
export const salience = { type: 'number', minimum: 0, maximum: 1 };
export const text = { type: 'string', minLength: 1, maxLength: 32_000, pattern: '\\S' };
export const actor = { type: 'string', minLength: 1, maxLength: 100 };
export const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 6, maxLength: 64 } } };

export const newMemory = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text,
    kind,
    actor,
    salience,
    pinned: { type: 'boolean' },
    source: {
      type: 'object',
      additionalProperties: false,
      properties: {
        conversation: { type: 'string', maxLength: 64 },
        turn: { type: 'string', maxLength: 64 },
        via: { type: 'string', maxLength: 64 },
      },
    },
  },
};
