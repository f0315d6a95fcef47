import { describe, expect, it } from 'vitest';
import { planRoom } from '../../lib/cache/quota.js';
import { isQuotaError } from '../../lib/cache/store.js';

const entries = [
  { key: 'old', bytes: 400, lastUsedAt: 1 },
  { key: 'mid', bytes: 300, lastUsedAt: 2 },
  { key: 'new', bytes: 200, lastUsedAt: 3 },
];

describe('planning room in the model cache', () => {
  it('fits without evicting when there is room', () => {
    expect(planRoom({ name: 'm', needed: 100, maxBytes: 1000, entries })).toEqual({ ok: true, evict: [] });
  });

  it('evicts least recently used entries until the budget holds', () => {
    expect(planRoom({ name: 'm', needed: 300, maxBytes: 1000, entries })).toEqual({ ok: true, evict: ['old'] });
    expect(planRoom({ name: 'm', needed: 750, maxBytes: 1000, entries })).toEqual({ ok: true, evict: ['old', 'mid'] });
    expect(planRoom({ name: 'm', needed: 950, maxBytes: 1000, entries })).toEqual({ ok: true, evict: ['old', 'mid', 'new'] });
  });

  it('refuses a model larger than the budget, with both numbers', () => {
    const plan = planRoom({ name: 'm', needed: 5000, maxBytes: 1000, entries });
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.error.code).toBe('QUOTA_EXCEEDED');
      expect(plan.error.message).toBe(
        'Model "m" needs 5000 bytes of storage but only 1000 bytes are available (the maxBytes budget is 1000), even after evicting least recently used models.',
      );
      expect(plan.error.details).toEqual({ needed: 5000, available: 1000 });
    }
  });

  it('evicts to fit the browser quota, and refuses what eviction cannot make room for', () => {
    expect(planRoom({ name: 'm', needed: 500, quota: 10_000, usage: 9_700, entries })).toEqual({ ok: true, evict: ['old'] });
    const plan = planRoom({ name: 'm', needed: 2000, quota: 10_000, usage: 9_700, entries });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.error.details).toEqual({ needed: 2000, available: 1200 });
  });

  it('treats QuotaExceededError and AbortError (Chrome near the quota) as quota errors', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(true);
    expect(isQuotaError(new DOMException('bad', 'DataError'))).toBe(false);
  });
});
