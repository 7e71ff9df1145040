import { describe, expect, it } from 'vitest';
import { MODEL_ID } from './embedder-model.js';
import { embedderReads, LATIN_ONLY_MODEL } from './embedder-reads.js';

describe('embedderReads', () => {
  it('knows the built-in model by its id', () => {
    expect(MODEL_ID.startsWith(LATIN_ONLY_MODEL)).toBe(true);
  });

  it('reads English, accented Latin, digits and emoji with the built-in model', () => {
    for (const t of [
      'I adopted a kitten',
      'café crème, São Paulo',
      '42',
      '🎉🎉',
      '',
      'Trip to 東京 next week with Sam',
    ])
      expect(embedderReads(MODEL_ID, t)).toBe(true);
  });

  it('does not read texts mostly in other scripts with the built-in model', () => {
    for (const t of [
      '我昨天在北京吃了烤鸭',
      '東京の桜はとても綺麗でした',
      '나는 서울에서 살아요',
      'ذهبت إلى السوق',
      'สวัสดีครับ',
      'Я живу в Москве',
    ])
      expect(embedderReads(MODEL_ID, t)).toBe(false);
  });

  it('lets every other embedder read every script', () => {
    expect(embedderReads('builtin-hash-v2/384', '我昨天在北京吃了烤鸭')).toBe(true);
    expect(embedderReads('provider:ollama/nomic-embed-text/768', 'ذهبت إلى السوق')).toBe(true);
  });
});
