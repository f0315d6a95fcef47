/**
 * Test helpers for the model store: an audit of the whole 'ml-predict' database, read through a
 * connection of its own (not the library's), and a bound for every await of a fault test.
 * Key layout (lib/cache/store.ts): ['e', key] entry, ['c', key, i] chunk i, ['p', key] partial.
 */
import { sha256Base64 } from '../../lib/model/integrity.js';
import type { CacheEntry, PartialDownload } from '../../lib/cache/store.js';

/** Rejects when `promise` has not settled within `ms` (saying what was awaited); else settles as it does. */
export { within } from '../helpers.js';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Every record of the store, read in one transaction. Creates the database like the library would when it is missing. */
async function readAll(): Promise<{ key: IDBValidKey; value: unknown }[]> {
  const open = indexedDB.open('ml-predict');
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains('models')) open.result.createObjectStore('models');
  };
  const db = await request(open);
  try {
    const s = db.transaction('models', 'readonly').objectStore('models');
    const [keys, values] = await Promise.all([request(s.getAllKeys()), request(s.getAll())]);
    return keys.map((key, i) => ({ key, value: values[i] }));
  } finally {
    db.close(); // never keep a connection that would block a deletion
  }
}

const show = (key: string) => JSON.stringify(key);

/**
 * Every problem of the store, as sentences (none: []): entries whose chunks are missing, do not
 * add up to their size or do not hash to their sha256; partial downloads whose chunks are missing
 * or do not add up; chunks no entry or partial owns; records of unknown shape.
 */
export async function auditStore(): Promise<string[]> {
  const problems: string[] = [];
  const entries = new Map<string, CacheEntry>();
  const partials = new Map<string, PartialDownload>();
  const chunks = new Map<string, Map<number, Uint8Array>>();
  for (const { key, value } of await readAll()) {
    const [kind, k, i] = key as [string, string, number];
    if (kind === 'e') entries.set(k, value as CacheEntry);
    else if (kind === 'p') partials.set(k, value as PartialDownload);
    else if (kind === 'c' && typeof i === 'number' && value instanceof Uint8Array) {
      if (!chunks.has(k)) chunks.set(k, new Map());
      chunks.get(k)!.set(i, value);
    } else problems.push(`a record of unknown shape: ${JSON.stringify(key)}`);
  }
  const owned = new Map<string, number>(); // key → how many chunks its owner claims
  for (const [key, e] of entries) {
    owned.set(key, e.chunks);
    if (partials.has(key)) problems.push(`entry ${show(key)} has a partial download beside it`);
    const have = chunks.get(key) ?? new Map<number, Uint8Array>();
    const parts = Array.from({ length: e.chunks }, (_, i) => have.get(i));
    const missing = parts.flatMap((p, i) => (p ? [] : [i]));
    if (missing.length) {
      problems.push(`entry ${show(key)} lacks chunks ${missing.join(', ')} of ${e.chunks}`);
      continue;
    }
    const size = parts.reduce((n, p) => n + p!.byteLength, 0);
    if (size !== e.bytes) {
      problems.push(`entry ${show(key)} has ${size} bytes in its chunks, not ${e.bytes}`);
      continue;
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p!, at);
      at += p!.byteLength;
    }
    if ((await sha256Base64(all)) !== e.sha256) problems.push(`entry ${show(key)}: its bytes do not hash to its sha256`);
  }
  for (const [key, p] of partials) {
    if (entries.has(key)) continue;
    owned.set(key, p.chunks);
    const have = chunks.get(key) ?? new Map<number, Uint8Array>();
    const parts = Array.from({ length: p.chunks }, (_, i) => have.get(i));
    const missing = parts.flatMap((c, i) => (c ? [] : [i]));
    if (missing.length) problems.push(`partial ${show(key)} lacks chunks ${missing.join(', ')} of ${p.chunks}`);
    else if (parts.reduce((n, c) => n + c!.byteLength, 0) !== p.stored) problems.push(`partial ${show(key)}: its chunks do not add up to ${p.stored} bytes`);
  }
  for (const [key, have] of chunks) {
    const claimed = owned.get(key) ?? 0;
    const stray = [...have.keys()].filter((i) => i >= claimed).sort((a, b) => a - b);
    if (stray.length) problems.push(`chunks ${stray.join(', ')} of ${show(key)} belong to no entry or partial`);
  }
  return problems;
}
