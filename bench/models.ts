/**
 * The models the benchmarks run: the demo models of public/models/ (served by the bench server
 * under /__bench/model/, never HTTP-cached) with the inputs each case feeds them.
 */
import type { FeedSpec } from './page/api.js';

export interface BenchModel {
  /** Label for tables. */
  label: string;
  /** A few words, for the chart. */
  short: string;
  file: string;
  feeds: FeedSpec[];
  /** What one call computes, in words. */
  call: string;
}

export const modelUrl = (origin: string, file: string, kbps?: number): string =>
  `${origin}/__bench/model/${encodeURIComponent(file)}${kbps ? `?kbps=${kbps}` : ''}`;

/** Tiny: scikit-learn-style logistic regression (ai.onnx.ml LinearClassifier), 30 features, one row. */
export const TINY: BenchModel = {
  label: 'tiny: breast-cancer logistic regression (1 KB)',
  short: 'tiny LR',
  file: 'breast-cancer-1.0.0.onnx',
  feeds: [{ name: 'features', type: 'float32', dims: [1, 30] }],
  call: '1 row × 30 features',
};

/** Medium: the digits MLP (784 → hidden → 10), a batch of images so one call takes a few ms. */
export function medium(rows: number): BenchModel {
  return {
    label: `medium: digits MLP (200 KB), ${rows} rows`,
    short: `digits MLP ×${rows}`,
    file: 'digits-1.0.0.onnx',
    feeds: [{ name: 'pixels', type: 'float32', dims: [rows, 784] }],
    call: `${rows} images × 784 pixels`,
  };
}

/** Real third-party model: PaddleOCR v4 text-line recogniser (10.8 MB, Apache-2.0), one 48×320 line. */
export function paddle(width: number): BenchModel {
  return {
    label: `third-party: PaddleOCR recogniser (10.8 MB), 1 line 48×${width}`,
    short: `PaddleOCR 48×${width}`,
    file: 'paddleocr-rec-4.0.0.onnx',
    feeds: [{ name: 'x', type: 'float32', dims: [1, 3, 48, width] }],
    call: `1 × 3 × 48 × ${width} image`,
  };
}

/** Silero VAD v5 (2.3 MB, MIT): one 32 ms frame of 16 kHz audio with its recurrent state. */
export const SILERO: BenchModel = {
  label: 'third-party: Silero VAD (2.3 MB), one 32 ms frame',
  short: 'Silero VAD',
  file: 'silero-vad-5.0.0.onnx',
  feeds: [
    { name: 'input', type: 'float32', dims: [1, 576] },
    { name: 'state', type: 'float32', dims: [2, 1, 128], value: 0 },
    { name: 'sr', type: 'int64', dims: [], value: 16000 },
  ],
  call: '576 samples + state',
};

/** Medium, compute-heavy, small input: a random forest fixture (see bench/fixtures.ts), `rows` rows of 12 features. */
export function forest(file: string, trees: number, depth: number, rows: number, mb: number): BenchModel {
  return {
    label: `medium: random forest fixture (${trees} trees of depth ${depth}, ${mb.toFixed(1)} MB), ${rows} rows`,
    short: `forest ${trees}×${depth} ×${rows}`,
    file,
    feeds: [{ name: 'features', type: 'float32', dims: [rows, 12] }],
    call: `${rows} rows × 12 features`,
  };
}
