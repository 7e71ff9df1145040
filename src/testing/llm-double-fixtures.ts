/**
 * The double's content: recorded streams from fixtures/llm (replayed nearly verbatim, with the requested model name
 * put in), the non-streaming replies derived from them, and deterministic embeddings.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/llm/', import.meta.url));

/** One chunk of a recorded stream, as bytes to send; `final` marks the closing message(s). */
export interface StreamPiece {
  text: string;
  final: boolean;
}

export interface Recording {
  ollama: StreamPiece[];
  openai: StreamPiece[];
  /** The whole reply text and token count, for non-streaming answers. */
  text: string;
  tokens: number;
}

function withModel(json: string, model: string): string {
  const obj = JSON.parse(json) as Record<string, unknown>;
  obj['model'] = model;
  return JSON.stringify(obj);
}

export function loadRecording(name: string, dir = FIXTURES_DIR): Recording {
  const ndjson = readFileSync(`${dir}/${name}.ollama.ndjson`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const sse = readFileSync(`${dir}/${name}.openai.sse`, 'utf8')
    .split(/\n\n/)
    .filter((b) => b.trim() !== '');
  let text = '';
  for (const line of ndjson) {
    const obj = JSON.parse(line) as { message?: { content?: string } };
    text += obj.message?.content ?? '';
  }
  return {
    ollama: ndjson.map((line) => ({ text: line, final: (JSON.parse(line) as { done?: boolean }).done === true })),
    openai: sse.map((block) => {
      const data = block.replace(/^data: /, '');
      const final = data === '[DONE]' || /"finish_reason":"[a-z_]+"/.test(data);
      return { text: block, final };
    }),
    text,
    tokens: ndjson.length - 1,
  };
}

/** The pieces of a stream for `model`, each with its line/event terminator. */
export function streamPieces(rec: Recording, protocol: 'ollama' | 'openai', model: string): StreamPiece[] {
  if (protocol === 'ollama') return rec.ollama.map((p) => ({ text: `${withModel(p.text, model)}\n`, final: p.final }));
  return rec.openai.map((p) => {
    const data = p.text.replace(/^data: /, '');
    const body = data === '[DONE]' ? data : withModel(data, model);
    return { text: `data: ${body}\n\n`, final: p.final };
  });
}

/** A unit vector that depends only on the text: equal texts embed equally, different texts differently. */
export function fakeEmbedding(text: string, dims: number): number[] {
  const v: number[] = [];
  for (let i = 0; v.length < dims; i++) {
    const h = createHash('sha256').update(`${i}:${text}`).digest();
    for (let j = 0; j + 4 <= h.length && v.length < dims; j += 4) v.push(h.readInt32BE(j) / 2 ** 31);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Ollama-style model matching: a bare name means name:latest. */
export function knowsModel(models: readonly string[], model: string): boolean {
  const full = (n: string): string => (n.includes(':') ? n : `${n}:latest`);
  return models.some((m) => full(m) === full(model));
}
