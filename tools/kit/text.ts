/** Vocabulary and TF-IDF of the sentiment models, computed exactly as the ONNX graph does. */

export interface Vocabulary {
  /** Unigrams first, then bigrams ("not good"); column i is terms[i]. */
  terms: string[];
  /** Smoothed inverse document frequency per term: ln((1 + n) / (1 + df)) + 1. */
  idf: number[];
}

function termsOf(tokens: readonly string[], bigrams: boolean): string[] {
  const out = [...tokens];
  if (bigrams) for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
}

/**
 * Terms seen in at least `minDf` training documents, the `size` most frequent (ties broken
 * alphabetically), unigrams before bigrams.
 */
export function buildVocabulary(docs: readonly (readonly string[])[], o: { size: number; minDf: number; bigrams: boolean }): Vocabulary {
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(termsOf(doc, o.bigrams))) df.set(t, (df.get(t) ?? 0) + 1);
  const ranked = [...df.entries()]
    .filter(([, n]) => n >= o.minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, o.size)
    .map(([t]) => t);
  const terms = [...ranked.filter((t) => !t.includes(' ')).sort(), ...ranked.filter((t) => t.includes(' ')).sort()];
  const n = docs.length;
  return { terms, idf: terms.map((t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1) };
}

/** Term counts (TF) of one token list over the vocabulary, like TfIdfVectorizer in mode TF. */
export function termCounts(tokens: readonly string[], vocab: Vocabulary): Float64Array {
  const index = indexOf(vocab);
  const v = new Float64Array(vocab.terms.length);
  const bigrams = vocab.terms.some((t) => t.includes(' '));
  for (const t of termsOf(tokens, bigrams)) {
    const i = index.get(t);
    if (i !== undefined) v[i] = v[i]! + 1;
  }
  return v;
}

const indexes = new WeakMap<Vocabulary, Map<string, number>>();
function indexOf(vocab: Vocabulary): Map<string, number> {
  let m = indexes.get(vocab);
  if (!m) {
    m = new Map(vocab.terms.map((t, i) => [t, i]));
    indexes.set(vocab, m);
  }
  return m;
}

/** TF × IDF with float32 weights (as stored in the graph), then L2-normalised. */
export function tfidf(tokens: readonly string[], vocab: Vocabulary): Float64Array {
  const v = termCounts(tokens, vocab);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) continue;
    v[i] = v[i]! * Math.fround(vocab.idf[i]!);
    norm += v[i]! * v[i]!;
  }
  norm = Math.max(Math.sqrt(norm), 1e-12);
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) v[i] = v[i]! / norm;
  return v;
}
