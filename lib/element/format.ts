/**
 * The words and numbers `<ml-predict>` shows and announces, formatted for the page's locale.
 */
import type { LoadProgress } from '../types.js';
import type { MlPredictErrorDetail, MlPredictResult } from './events.js';

export const numberFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });
export const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });

/** A number to 6 significant digits; any other value as its text. */
export function formatValue(v: number | bigint | string | boolean): string {
  return typeof v === 'number' ? numberFormat.format(v) : String(v);
}

/** What the load is doing: the download with its share and size, then the check and the compile. */
export function phaseText(p: LoadProgress | undefined): string {
  if (!p || p.phase === 'download') {
    if (!p) return 'Loading model…';
    if (p.total) {
      const mb = (n: number) => bytesFormat.format(n / 1e6);
      return `Downloading model… ${percentFormat.format(p.loaded / p.total)} (${mb(p.loaded)} of ${mb(p.total)})`;
    }
    return `Downloading model… ${bytesFormat.format(p.loaded / 1e6)}`;
  }
  return p.phase === 'verify' ? 'Checking the model…' : 'Preparing the model…';
}

/** A card or feature name for people: `petal_length` → `petal length`. */
export const prettyName = (name: string): string => name.replace(/[_-]+/g, ' ');

/** The heading of an error: which of loading or predicting failed. */
export function failureHeading(error: MlPredictErrorDetail): string {
  return error.during === 'load' ? 'The model could not be loaded' : 'The prediction failed';
}

/** The announcement of a result: `Prediction: setosa (97.0%).`, `Prediction: 203 k€.` or the raw outputs' names. */
export function resultText(result: MlPredictResult): string {
  if (result.kind === 'classification') {
    const p = result.probabilities[result.label];
    return `Prediction: ${result.label}${p !== undefined ? ` (${percentFormat.format(p)})` : ''}.`;
  }
  if (result.kind === 'regression') return `Prediction: ${numberFormat.format(result.value)}${result.unit ? ` ${result.unit}` : ''}.`;
  return `Prediction done: ${Object.keys(result.outputs).join(', ')}.`;
}
