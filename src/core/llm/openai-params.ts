/**
 * Which optional parameters an OpenAI-compatible chat request carries, learned per model. OpenAI deprecates
 * `max_tokens` for `max_completion_tokens`, and its reasoning models (o-series) refuse `max_tokens` and any
 * temperature but the default with a 400 naming the parameter; other compatible servers know only `max_tokens`.
 * So the limit goes as max_completion_tokens to OpenAI itself and as max_tokens elsewhere (llm.tokenLimitParam
 * pins either), and a 400 refusing one of these parameters is answered by one retry without it (the other limit
 * parameter, then none; no temperature), remembered for the model for the provider's lifetime.
 */
import { isProgenyError } from '../errors.js';
import type { LlmErrorDetails } from './errors.js';
import type { ChatRequest } from './types.js';

export type TokenLimitParam = 'max_tokens' | 'max_completion_tokens';

interface ModelParams {
  /** How the token limit is sent; null: not at all (the server refused both). */
  limit: TokenLimitParam | null;
  temperature: boolean;
  refused: Set<string>;
}

const REFUSAL = /unsupported|not supported|unrecognized|unknown (?:parameter|field|argument)|extra (?:inputs|fields)/i;

/** The parameter a 400 refused, when it is one the request can do without. */
function refusedParam(err: unknown): string | undefined {
  if (!isProgenyError(err) || err.code !== 'LLM_HTTP') return undefined;
  const d = err.details as LlmErrorDetails | undefined;
  if (d?.status !== 400 || !d.param || !REFUSAL.test(err.message)) return undefined;
  return ['max_tokens', 'max_completion_tokens', 'temperature'].includes(d.param) ? d.param : undefined;
}

function isOpenAi(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'api.openai.com' || host.endsWith('.openai.azure.com');
}

export class OpenAiParams {
  private readonly models = new Map<string, ModelParams>();

  constructor(
    private readonly url: string,
    private readonly preference: 'auto' | TokenLimitParam = 'auto',
  ) {}

  private of(model: string): ModelParams {
    let p = this.models.get(model);
    if (!p) {
      const limit =
        this.preference !== 'auto' ? this.preference : isOpenAi(this.url) ? 'max_completion_tokens' : 'max_tokens';
      p = { limit, temperature: true, refused: new Set() };
      this.models.set(model, p);
    }
    return p;
  }

  /** The optional parameters of a request body for `model`. */
  body(model: string, req: Pick<ChatRequest, 'temperature'>, maxTokens: number): Record<string, number> {
    const p = this.of(model);
    return {
      ...(p.temperature ? { temperature: req.temperature } : {}),
      ...(p.limit ? { [p.limit]: maxTokens } : {}),
    };
  }

  /** Learns from a failed request; true when the request is worth one more try without the refused parameter. */
  adapt(model: string, err: unknown): boolean {
    const param = refusedParam(err);
    const p = this.of(model);
    if (param === undefined || p.refused.has(param)) return false;
    p.refused.add(param);
    if (param === 'temperature') p.temperature = false;
    else if (param === p.limit) {
      const other: TokenLimitParam = param === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
      p.limit = p.refused.has(other) ? null : other;
    } else return false;
    return true;
  }
}
