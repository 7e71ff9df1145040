/**
 * How strong a new vault passphrase must be (docs/sync.md, "Keys"). The wrapped root key is readable by anyone who
 * knows the vault id, so the passphrase is guessed offline at the KDF's pace: a new passphrase must reach zxcvbn's
 * score 3 (about 10^8 guesses, common words, names and keyboard patterns counted). The estimator and its
 * dictionaries (~7 MB) load only when a passphrase is being set.
 */
import { ProgenyError } from '../errors.js';

export const MIN_PASSPHRASE_SCORE = 3;

export interface PassphraseEstimate {
  score: number;
  guessesLog10: number;
  warning: string | null;
  suggestions: string[];
}

let estimator: Promise<(p: string, inputs: string[]) => PassphraseEstimate> | undefined;

async function loadEstimator(): Promise<(p: string, inputs: string[]) => PassphraseEstimate> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  const z = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return (p, inputs) => {
    const r = z.check(p, inputs);
    return {
      score: r.score,
      guessesLog10: r.guessesLog10,
      warning: r.feedback.warning,
      suggestions: r.feedback.suggestions,
    };
  };
}

export async function estimatePassphrase(passphrase: string, userInputs: string[] = []): Promise<PassphraseEstimate> {
  estimator ??= loadEstimator();
  return (await estimator)(passphrase, userInputs);
}

/** Throws SYNC_WEAK_PASSPHRASE (exit 2) saying why, unless the passphrase is strong enough to protect a vault. */
export async function requireStrongPassphrase(passphrase: string, userInputs: string[] = []): Promise<void> {
  const e = await estimatePassphrase(passphrase, userInputs);
  if (e.score >= MIN_PASSPHRASE_SCORE && passphrase.length >= 8) return;
  const why = [e.warning, ...e.suggestions].filter(Boolean).join(' ');
  throw new ProgenyError(
    'SYNC_WEAK_PASSPHRASE',
    `this passphrase is too easy to guess (about 10^${Math.round(e.guessesLog10)} guesses; strength ${e.score} of 4, ` +
      `at least ${MIN_PASSPHRASE_SCORE} needed)${why ? `: ${why}` : ''}`,
    {
      hint: 'anyone who learns the vault id can try passphrases offline; use four or more uncommon words, or a long random one',
      details: { score: e.score, guessesLog10: e.guessesLog10 },
    },
  );
}
