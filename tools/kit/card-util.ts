/** Card helpers of the build: sha256 of files, the common card shape. */
import { createHash } from 'node:crypto';
import type { CardFile, ModelCard, ModelCardFields } from '../../lib/model/card.js';

export type CardDraft = Omit<ModelCardFields, 'model'>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function fileEntry(file: string, bytes: Uint8Array): CardFile {
  return { file, sha256: sha256Hex(bytes), bytes: bytes.length };
}

export function modelFile(name: string, version: string): string {
  return `${name}-${version}.onnx`;
}

export function cardFile(name: string, version: string): string {
  return `${name}-${version}.card.json`;
}

/** Puts the model file entry in place, keeping the card's key order stable. */
export function withModel(card: CardDraft, bytes: Uint8Array): ModelCard {
  const { name, version } = card;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(card)) {
    if (k === 'license') out.model = fileEntry(modelFile(name, version), bytes);
    out[k] = v;
  }
  if (!('model' in out)) out.model = fileEntry(modelFile(name, version), bytes);
  return out as ModelCard;
}

export const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;
