/**
 * A provider whose model can be changed while the engine runs (/model in the chat screen): every call goes to the
 * provider built for the current model. Providers built for earlier models stay open until close(), so a reply
 * still streaming from one is never cut by a switch.
 */
import { lateBound } from '../late-bound.js';
import type { LlmProvider } from './types.js';

export interface SwitchableProvider extends LlmProvider {
  /** Sends later requests to `model` (the next turn uses it). */
  use(model: string): void;
}

export function switchableProvider(make: (model: string) => LlmProvider, initial: LlmProvider): SwitchableProvider {
  let current = initial;
  const all = [initial];
  return Object.assign(
    lateBound(() => current, ['id', 'model', 'url'] as const),
    {
      chat: (req) => current.chat(req),
      embed: (texts, opts) => current.embed(texts, opts),
      probe: (signal) => current.probe(signal),
      use(model) {
        if (model === current.model) return;
        current = make(model);
        all.push(current);
      },
      async close() {
        await Promise.all(all.map((p) => p.close()));
      },
    } satisfies Omit<SwitchableProvider, 'id' | 'model' | 'url'>,
  );
}
