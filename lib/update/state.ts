/**
 * What a managed model remembers between visits, per registry URL + model name, in its own
 * IndexedDB store ("ml-predict-state"): the active version, the last known-good one, versions
 * found bad (and against which registry), the last registry document with its ETag, and the cards
 * of the versions in use, so that a reload works offline.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { ModelCard } from '../model/card.js';

export interface BadVersion {
  code: string;
  reason: string;
  /** Fingerprint of the registry when this version failed: it is retried only when the registry changes. */
  registry: string;
  at: number;
}

export interface ManagedState {
  active: string;
  lastGood?: string;
  bad: Record<string, BadVersion>;
  registry: { document: unknown; etag?: string; fingerprint: string };
  cards: Record<string, ModelCard>;
}

let store: UseStore | undefined;
const db = (): UseStore => (store ??= createStore('ml-predict-state', 'managed'));
const key = (registryUrl: string, name: string) => JSON.stringify([registryUrl, name]);

export const readState = (registryUrl: string, name: string): Promise<ManagedState | undefined> => get<ManagedState>(key(registryUrl, name), db());
export const writeState = (registryUrl: string, name: string, state: ManagedState): Promise<void> => set(key(registryUrl, name), state, db());

/** A short, stable fingerprint of a registry document's text. */
export async function fingerprint(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}
