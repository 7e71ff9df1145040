/** Builds the configured provider from config keys llm.*; null for llm.provider=offline (no model). */
import type { Dispatcher } from 'undici';
import type { Config } from '../config/schema.js';
import { configError } from '../errors.js';
import type { HttpProviderOptions } from './http-provider.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import type { LlmProvider } from './types.js';

export function providerOptionsFrom(config: Config, dispatcher?: Dispatcher): HttpProviderOptions {
  return {
    url: config['llm.url'],
    model: config['llm.model'],
    apiKey: config['llm.apiKey'],
    timeoutMs: config['llm.timeoutMs'],
    connectTimeoutMs: config['llm.connectTimeoutMs'],
    idleTimeoutMs: config['llm.idleTimeoutMs'],
    retries: config['llm.retries'],
    retryBaseMs: config['llm.retryBaseMs'],
    retryMaxMs: config['llm.retryMaxMs'],
    maxTokens: config['llm.maxTokens'],
    loadTimeoutMs: config['llm.loadTimeoutMs'],
    tokenLimitParam: config['llm.tokenLimitParam'] as HttpProviderOptions['tokenLimitParam'],
    ...(dispatcher ? { dispatcher } : {}),
  };
}

/** Throws CONFIG (exit 3) for an invalid llm.url. */
export function createProvider(config: Config, opts: { dispatcher?: Dispatcher } = {}): LlmProvider | null {
  const provider = config['llm.provider'];
  switch (provider) {
    case 'offline':
      return null;
    case 'ollama':
      return createOllamaProvider(providerOptionsFrom(config, opts.dispatcher));
    case 'openai':
      return createOpenAiProvider(providerOptionsFrom(config, opts.dispatcher));
    default:
      throw configError(`unknown llm.provider ${String(provider)}`, 'use ollama, openai or offline');
  }
}
