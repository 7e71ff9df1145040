/**
 * Memories in Chinese, Japanese, Korean, Thai and Arabic among English ones, with the built-in model (docs/memory-recall.md,
 * "Texts in other scripts"): a word of the memory finds it first, whatever its script. Before migration 7, every
 * unspaced Chinese or Japanese text had one vector and its words were one token: each of these searches returned
 * the same three memories.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

interface SearchOut {
  results: { memory: { text: string } }[];
}

const OTHER = [
  '我昨天在北京吃了烤鸭',
  '我妹妹在上海当护士',
  '東京の桜はとても綺麗でした',
  '毎朝コーヒーを飲みます',
  '나는 서울에서 살아요',
  'ผมชอบกินข้าวผัด',
  'ذهبت إلى السوق في القاهرة',
];
const ENGLISH = [
  'I adopted a kitten last week',
  'The train to Lyon leaves at noon',
  'My sister paints houses in Leeds',
  'We planted tomatoes in the garden',
  'I started bouldering at The Depot',
];

describe('other scripts, end to end', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('memory search finds a memory by a word of it in every script, and English by meaning as before', async () => {
    home = makeHome();
    await home.json(['init']);
    for (const text of [...ENGLISH, ...OTHER]) await home.json(['memory', 'add', text]);
    const first = async (q: string) =>
      (await home.json<SearchOut>(['memory', 'search', q, '-k', '3'])).results[0]?.memory.text;
    for (const [q, want] of [
      ['北京', OTHER[0]],
      ['烤鸭', OTHER[0]],
      ['上海', OTHER[1]],
      ['妹妹', OTHER[1]],
      ['東京', OTHER[2]],
      ['コーヒー', OTHER[3]],
      ['서울', OTHER[4]],
      ['ข้าวผัด', OTHER[5]],
      ['القاهرة', OTHER[6]],
      ['we got a new cat', ENGLISH[0]],
    ] as const)
      expect(await first(q), q).toBe(want);
  }, 120_000);
});
