/** The part of the Engine the chat screen uses (tests pass a fake with just these). */
import type { Engine } from '../core/engine/engine.js';

export type ChatEngine = Pick<
  Engine,
  | 'turn'
  | 'memory'
  | 'state'
  | 'heritage'
  | 'conversations'
  | 'subscribe'
  | 'probe'
  | 'mode'
  | 'config'
  | 'paths'
  | 'models'
  | 'useModel'
>;
