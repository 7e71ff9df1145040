/**
 * Perception of one user message (docs/domain.md, "The chat turn", step 1): sentiment from the AFINN lexicon of the
 * `sentiment` library, plus urgency, load, question and hostility cues. Pure and fast: it runs on every turn.
 */
import { createRequire } from 'node:module';
import type SentimentClass from 'sentiment';

export interface Perception {
  /** −1 (very negative) … 1 (very positive). */
  sentiment: number;
  /** 0 … 1: time pressure. */
  urgency: number;
  /** 0 … 1: cognitive or emotional load. */
  load: number;
  question: boolean;
  /** A question that seeks knowledge (how/what/why/explain …), which favours the EXPERT posture. */
  seeksKnowledge: boolean;
  /** 0 … 1: hostility or dismissal aimed at the companion. */
  hostility: number;
  /** A substantive message (enough words) — engagement earns trust slowly. */
  substantive: boolean;
  words: number;
}

/**
 * Created at the first perception: the library reads its lexicon (AFINN, ~3,400 words) when loaded, ~5 ms that
 * commands which never perceive a message (`state show`, `memory list`) should not pay at start-up.
 */
let analyser: SentimentClass | undefined;
const sentimentAnalyser = (): SentimentClass => {
  if (!analyser) {
    const Sentiment = createRequire(import.meta.url)('sentiment') as typeof SentimentClass;
    analyser = new Sentiment();
  }
  return analyser;
};

const URGENCY_CUES = [
  /\burgent(ly)?\b/,
  /\basap\b/,
  /\bright now\b/,
  /\bimmediately\b/,
  /\bemergency\b/,
  /\bdeadline\b/,
  /\bhurry\b/,
  /\bquick(ly)?\b/,
  /\bin \d+ (minutes|mins|hours)\b/,
  /\bby (tonight|today|tomorrow|eod)\b/,
  /\bno time\b/,
  /\brunning out of time\b/,
  /!{2,}/,
];
const LOAD_CUES = [
  /\boverwhelm(ed|ing)?\b/,
  /\bstress(ed|ful)?\b/,
  /\bexhaust(ed|ing)\b/,
  /\btired\b/,
  /\banxious\b/,
  /\banxiety\b/,
  /\bburn(ed|t)? ?out\b/,
  /\btoo much\b/,
  /\bcan'?t cope\b/,
  /\bcan'?t (do|handle) (this|it)\b/,
  /\bdrowning\b/,
  /\bpanic(king)?\b/,
  /\bfalling apart\b/,
  /\bso much (to do|going on)\b/,
  /\bsad\b/,
  /\blonely\b/,
  /\bgrief\b/,
];
const HOSTILE_CUES = [
  /\byou('| a)?re (useless|stupid|dumb|worthless|pathetic|an idiot)\b/,
  /\bshut up\b/,
  /\bi hate you\b/,
  /\bstupid (bot|machine|thing)\b/,
  /\bworthless\b/,
  /\bgo away\b/,
];
const DISMISSIVE_CUES = [
  /^\s*(whatever|never ?mind|nvm|meh|k|ok then)\s*[.!]*\s*$/,
  /\bdon'?t care\b/,
  /\bforget it\b/,
];
const KNOWLEDGE_START =
  /^(how|what|why|which|when|where|who|explain|define|describe|compare|is there|are there|can you explain|what's|whats)\b/;
const KNOWLEDGE_ANY = /\b(difference between|how (do|does|to|can)|what is|what are|explain|meaning of|trade-?offs?)\b/;

const score = (text: string, cues: RegExp[]): number => cues.reduce((n, re) => n + (re.test(text) ? 1 : 0), 0);

export function perceive(message: string): Perception {
  const text = message.toLowerCase();
  const words = text.split(/\s+/).filter(Boolean).length;
  // AFINN scores are integers in −5..5 per word; tanh keeps a few strong words from saturating everything.
  const raw = sentimentAnalyser().analyze(message).score;
  const sentiment = Math.tanh(raw / 5);
  const urgency = Math.min(1, score(text, URGENCY_CUES) * 0.35 + (/!\s*$/.test(text) ? 0.1 : 0));
  const loadCues = score(text, LOAD_CUES);
  const load = Math.min(1, loadCues * 0.35 + (sentiment < -0.5 ? 0.2 : 0));
  const question = /\?\s*$/.test(text) || KNOWLEDGE_START.test(text.trim());
  const seeksKnowledge = question && (KNOWLEDGE_START.test(text.trim()) || KNOWLEDGE_ANY.test(text));
  const hostility = Math.min(1, score(text, HOSTILE_CUES) * 0.6 + score(text, DISMISSIVE_CUES) * 0.3);
  return { sentiment, urgency, load, question, seeksKnowledge, hostility, substantive: words >= 8, words };
}
