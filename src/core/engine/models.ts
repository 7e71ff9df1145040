/** /model in the chat screen: the models the server lists, and switching the chat model (persisted as llm.model). */
import { setConfigValue } from '../config/load.js';
import { usageError } from '../errors.js';
import type { SwitchableProvider } from '../llm/switchable.js';
import type { Hint } from '../hints.js';
import type { ModelList } from './engine.js';

export function modelControl(
  llm: SwitchableProvider | null,
  configPath: string,
  offlineHint: () => Hint,
): { models(signal?: AbortSignal): Promise<ModelList>; useModel(model: string): void } {
  return {
    async models(signal) {
      if (!llm) return { current: null, available: [], detail: offlineHint().text };
      const probe = await llm.probe(signal);
      return { current: llm.model, available: probe.models ?? [], detail: probe.detail };
    },
    useModel(model) {
      const name = model.trim();
      if (!llm)
        throw usageError('there is no model server to switch models on: llm.provider is offline', offlineHint());
      if (!/^\S{1,200}$/.test(name))
        throw usageError(`"${model}" is not a model name`, '/model lists the models the server has');
      setConfigValue(configPath, 'llm.model', name);
      llm.use(name);
    },
  };
}
