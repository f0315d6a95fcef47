/**
 * How published files are named and described: `<name>-<version>.onnx` and
 * `<name>-<version>.card.json` beside the registry, and a card's file entry (file, sha256, bytes).
 * Shared by the model kit and `ml-predict card|publish`.
 */
import { createHash } from 'node:crypto';
import type { CardFile, ModelCard, ModelCardFields } from '../model/card.js';

export type CardDraft = Omit<ModelCardFields, 'model'>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The subresource-integrity form of the bytes' sha256 ("sha256-<base64>"). */
export function sriOf(bytes: Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
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

/** Puts the model file entry in place (before "license", else last), keeping the card's key order stable. */
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
