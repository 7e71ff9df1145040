/**
 * What the double's models do besides answering, as the real servers do:
 * - Ollama keeps a model in memory only after a request loaded it, and unloads it `keep_alive` (5 min) after its last
 *   use; loading holds the response headers back (tens of seconds for a large model on a CPU); GET /api/ps lists the
 *   models in memory with `expires_at`. Without `loadMs` every model is in memory for good (OLLAMA_KEEP_ALIVE=-1).
 * - POST /api/show tells a model's `capabilities`; thinking models ("thinking": qwen3, deepseek-r1, gpt-oss) stream
 *   their reasoning before the answer.
 * - OpenAI's reasoning models (o1, o3, o4-mini…) refuse `max_tokens` (use `max_completion_tokens`) and any
 *   temperature but the default 1, with a 400 naming the parameter.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface ModelBehaviour {
  /** Cold start: no model is in memory; loading one takes this long, during which its requests send no headers. */
  loadMs?: number;
  /** How long a loaded model stays after its last request (Ollama's keep_alive). Default 5 min. */
  keepAliveMs?: number;
  /** Models that think before answering (their stream carries the reasoning first). */
  thinkingModels?: string[];
  /** Models that behave as OpenAI's reasoning models do about max_tokens and temperature. */
  reasoningModels?: string[];
}

/** Ollama-style names: a bare name means name:latest. */
export const fullName = (n: string): string => (n.includes(':') ? n : `${n}:latest`);

/** What a Go `time.Time` for "never" (keep_alive < 0) prints as. */
const FOREVER = '2318-08-21T23:12:44.854775807Z';

export interface Refusal {
  param: string;
  message: string;
  code: 'unsupported_parameter' | 'unsupported_value';
}

export class ModelRoom {
  /** Full model name → when it unloads (ms since the epoch). */
  private readonly loaded = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly b: ModelBehaviour) {}

  private get cold(): boolean {
    return this.b.loadMs !== undefined;
  }

  /** Waits until `model` is in memory (loading it if needed) and restarts its keep-alive clock. */
  async use(model: string): Promise<void> {
    if (!this.cold) return;
    const name = fullName(model);
    if ((this.loaded.get(name) ?? 0) <= Date.now()) {
      this.loaded.delete(name);
      let load = this.loading.get(name);
      if (!load) {
        load = delay(this.b.loadMs ?? 0).finally(() => this.loading.delete(name));
        this.loading.set(name, load);
      }
      await load;
    }
    this.loaded.set(name, Date.now() + (this.b.keepAliveMs ?? 300_000));
  }

  /** As `ollama stop` for every model, or the keep-alive running out. */
  unloadAll(): void {
    this.loaded.clear();
  }

  /** The models in memory now (every model when the double is not cold), with their expiry as /api/ps says it. */
  running(models: readonly string[]): { name: string; expiresAt: string }[] {
    if (!this.cold) return models.map((name) => ({ name, expiresAt: FOREVER }));
    const now = Date.now();
    return [...this.loaded]
      .filter(([, until]) => until > now)
      .map(([name, until]) => ({ name, expiresAt: new Date(until).toISOString() }));
  }

  thinks(model: string): boolean {
    return (this.b.thinkingModels ?? []).some((m) => fullName(m) === fullName(model));
  }

  /** The 400 an OpenAI reasoning model answers to this body, if any. */
  refusal(model: string, body: Record<string, unknown>): Refusal | undefined {
    if (!(this.b.reasoningModels ?? []).some((m) => fullName(m) === fullName(model))) return undefined;
    if (body['max_tokens'] !== undefined) {
      return {
        param: 'max_tokens',
        code: 'unsupported_parameter',
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      };
    }
    const t = body['temperature'];
    if (t !== undefined && t !== 1) {
      return {
        param: 'temperature',
        code: 'unsupported_value',
        message: `Unsupported value: 'temperature' does not support ${String(t)} with this model. Only the default (1) value is supported.`,
      };
    }
    return undefined;
  }
}

/** The 400 for a parameter the server does not accept at all (LlmFault.refuseParams). */
export function refusedParam(params: readonly string[], body: Record<string, unknown>): Refusal | undefined {
  const param = params.find((p) => body[p] !== undefined);
  if (param === undefined) return undefined;
  return {
    param,
    code: 'unsupported_parameter',
    message: `Unsupported parameter: '${param}' is not supported with this model.`,
  };
}
