/**
 * Text → token tensor, exactly as the text models were trained: the one place that splits text
 * into tokens, used by the training tools, the library and the demo alike.
 */
import { MlPredictError, quote } from '../errors.js';
import type { TextPreprocessing } from '../model/card.js';
import type { Tensor } from '../types.js';

/** The tokenisation of the demo sentiment models: lower case, runs of letters/digits with inner apostrophes. */
export const DEFAULT_TEXT_PREPROCESSING: TextPreprocessing = {
  lowercase: true,
  tokenPattern: "[\\p{L}\\p{N}]+(?:'[\\p{L}\\p{N}]+)*",
  flags: 'gu',
  shape: 'row',
  pad: '',
};

const patterns = new Map<string, RegExp>();

function patternOf(pre: TextPreprocessing): RegExp {
  const flags = pre.flags ?? 'gu';
  const key = `${flags}/${pre.tokenPattern}`;
  let re = patterns.get(key);
  if (!re) {
    try {
      re = new RegExp(pre.tokenPattern, flags.includes('g') ? flags : `${flags}g`);
    } catch (e) {
      throw new MlPredictError('CARD_INVALID', `Token pattern ${quote(pre.tokenPattern)} with flags ${quote(flags)} is not a valid regular expression: ${(e as Error).message}`);
    }
    patterns.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Splits one text into tokens. */
export function tokenize(text: string, pre: TextPreprocessing = DEFAULT_TEXT_PREPROCESSING): string[] {
  if (typeof text !== 'string') {
    throw new MlPredictError('INPUT_MISMATCH', `Text input must be a string, got ${quote(text)}.`);
  }
  const source = pre.lowercase ? text.toLowerCase() : text;
  return source.match(patternOf(pre)) ?? [];
}

/**
 * Texts → a string tensor [texts, longest], each row padded with the pad token (at least one
 * column, so that a text without tokens still gives a row).
 */
export function textToTensor(texts: readonly string[], pre: TextPreprocessing = DEFAULT_TEXT_PREPROCESSING): Tensor {
  if (!Array.isArray(texts) || texts.length === 0) {
    throw new MlPredictError('INPUT_MISMATCH', `Expected a non-empty array of texts, got ${quote(texts)}.`);
  }
  const rows = texts.map((t) => tokenize(t, pre));
  const width = Math.max(1, ...rows.map((r) => r.length));
  const pad = pre.pad ?? '';
  const data: string[] = [];
  for (const row of rows) {
    data.push(...row);
    for (let i = row.length; i < width; i++) data.push(pad);
  }
  return { data, dims: [texts.length, width] };
}
