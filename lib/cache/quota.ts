/**
 * Deciding whether a model of `needed` bytes can be stored, and which entries to evict (least
 * recently used first) to make room within the app's `maxBytes` budget and the browser's quota.
 * Pure: the caller gathers the facts and carries out the plan.
 */
import { MlPredictError } from '../errors.js';

export interface RoomFacts {
  name: string;
  needed: number;
  /** The app's budget for the whole model cache. */
  maxBytes?: number;
  /** navigator.storage.estimate(); undefined when unknown. */
  quota?: number;
  usage?: number;
  /** Other entries of the cache, with their sizes and last use. */
  entries: readonly { key: string; bytes: number; lastUsedAt: number }[];
}

export type RoomPlan = { ok: true; evict: string[] } | { ok: false; error: MlPredictError };

export function quotaError(name: string, needed: number, available: number, limit: string): MlPredictError {
  return new MlPredictError(
    'QUOTA_EXCEEDED',
    `Model "${name}" needs ${needed} bytes of storage but only ${available} bytes are available (${limit}), even after evicting least recently used models.`,
    { needed, available },
  );
}

export function planRoom(f: RoomFacts): RoomPlan {
  const lru = [...f.entries].sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  const ours = lru.reduce((n, e) => n + e.bytes, 0);
  if (f.maxBytes !== undefined && f.needed > f.maxBytes) {
    return { ok: false, error: quotaError(f.name, f.needed, f.maxBytes, `the maxBytes budget is ${f.maxBytes}`) };
  }
  const free = f.quota !== undefined ? Math.max(0, f.quota - (f.usage ?? 0)) : Infinity;
  if (f.needed > free + ours) {
    return { ok: false, error: quotaError(f.name, f.needed, free + ours, `browser quota ${f.quota} bytes, ${f.usage ?? 0} used`) };
  }
  const evict: string[] = [];
  let kept = ours;
  let freed = 0;
  for (const e of lru) {
    const overBudget = f.maxBytes !== undefined && kept + f.needed > f.maxBytes;
    const overQuota = f.needed > free + freed;
    if (!overBudget && !overQuota) break;
    evict.push(e.key);
    kept -= e.bytes;
    freed += e.bytes;
  }
  return { ok: true, evict };
}
