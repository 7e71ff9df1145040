/**
 * Query normalisation for the full-text channel of hybrid recall: the forms of common English irregular verbs
 * ("buy", "bought"; "give", "gave", "given"), which neither BM25 nor the embedder's character trigrams relate, so a
 * question in the present finds an answer told in the past. Auxiliaries (be, have, do) are left out, being
 * stopwords, and so are past forms more often meant as other words (left, saw, rose, bit, lay, shot, fell, ground).
 */
const TABLE =
  'arise:arose,arisen awake:awoke,awoken beat:beaten become:became begin:began,begun bend:bent bite:bitten bleed:bled ' +
  'blow:blew,blown break:broke,broken breed:bred bring:brought build:built burn:burnt buy:bought catch:caught ' +
  'choose:chose,chosen come:came creep:crept deal:dealt dig:dug draw:drew,drawn dream:dreamt drink:drank,drunk ' +
  'drive:drove,driven eat:ate,eaten feed:fed feel:felt fight:fought find:found flee:fled fly:flew,flown ' +
  'forget:forgot,forgotten forgive:forgave,forgiven freeze:froze,frozen get:got,gotten give:gave,given go:went,gone ' +
  'grow:grew,grown hang:hung hear:heard hide:hid,hidden hold:held keep:kept kneel:knelt know:knew,known lead:led ' +
  'lean:leant leap:leapt learn:learnt lend:lent lose:lost make:made mean:meant meet:met pay:paid ride:rode,ridden ' +
  'ring:rang,rung run:ran say:said see:seen seek:sought sell:sold send:sent shake:shook,shaken shine:shone ' +
  'show:shown shrink:shrank,shrunk sing:sang,sung sink:sank,sunk sit:sat sleep:slept slide:slid speak:spoke,spoken ' +
  'spend:spent spin:spun stand:stood steal:stolen stick:stuck sting:stung swear:swore,sworn sweep:swept swim:swam,swum ' +
  'swing:swung take:took,taken teach:taught tear:torn tell:told think:thought throw:threw,thrown ' +
  'understand:understood wake:woke,woken wear:wore,worn weep:wept win:won write:wrote,written';

const BASE = new Map<string, string>();
const FORMS = new Map<string, string[]>();
for (const entry of TABLE.split(' ')) {
  const [base, past] = entry.split(':') as [string, string];
  const forms = past.split(',');
  for (const f of forms) BASE.set(f, base);
  FORMS.set(base, [base, ...forms]);
}

/** The base form of a lower-case word (itself unless it is a listed irregular past form). */
export function lemma(word: string): string {
  return BASE.get(word) ?? word;
}

/** Every listed form of a word's lemma (just the word when it has none), for a full-text query. */
export function formsOf(word: string): string[] {
  return FORMS.get(lemma(word)) ?? [word];
}
