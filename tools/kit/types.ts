/** What each model builder gives the pipeline. */
import type { CardTask, ModelCard } from '../../lib/model/card.js';

export interface ParityFeed {
  type: 'float32' | 'string';
  data: Float32Array | string[];
  dims: number[];
}

/** The TypeScript model's own predictions on the whole test split, and the feeds that give them. */
export interface ParityCase {
  feeds: Record<string, ParityFeed>;
  expected: { label?: number[]; probabilities?: number[][]; value?: number[] };
}

export interface BuiltModel {
  name: string;
  version: string;
  registry: { title: string; task: CardTask; description: string };
  onnx: Uint8Array;
  card: ModelCard;
  /** Extra files published beside the model (file names relative to the model's folder). */
  assets?: { name: string; file: string; bytes: Uint8Array }[];
  parity?: ParityCase;
  /** A table row for docs/MODELS.md. */
  summary: { data: string; rows: string; metric: string };
}

export const SEED = 42;
