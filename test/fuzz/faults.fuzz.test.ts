/**
 * Faults in a seeded random order (40 steps; 400 with --long): aborts and timeouts of runs that
 * never end, bursts of concurrent predicts with random aborts, dispose() during calls, clearCache()
 * and deleteDatabase() during downloads. Every call settles within its bound with its documented
 * outcome; the store is audited after each storage fault; the known-good model predicts right
 * after every step.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../lib/evaluate/random.js';
import { clearCache, loadModel, type Model } from '../../lib/index.js';
import { FOREVER, loopModel, trips } from '../backend/run-models.js';
import { auditStore } from '../cache/audit.js';
import { inputRows, largeModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, sleep, uniqueName } from '../helpers.js';
import { check, expectHealthy, Problems, SCALE, within } from './harness.js';

const STEPS = ['abort-running', 'timeout', 'burst', 'dispose-during', 'clear-during-download', 'delete-during-download'] as const;
type Step = (typeof STEPS)[number];

describe('faults', () => {
  it(`${40 * SCALE} random faults: every call settles as documented, the store stays whole`, async () => {
    await expectHealthy('nothing');
    const random = mulberry32(7 + SCALE);
    const int = (n: number) => Math.floor(random() * n);
    const problems = new Problems();
    const loop = await loadModel(loopModel(), { backend: 'wasm', cache: 'none', name: 'loop' });
    const sigmoid = await loadModel(sigmoidModel(), { backend: 'wasm', cache: 'none', name: 'sigmoid' });
    const x = inputRows(3, 4);
    const expected = JSON.stringify(Array.from((await sigmoid.predict({ x })).y!.data as Float32Array));
    const big = largeModel(600);
    const counts = new Map<Step, number>();

    for (let s = 0; s < 40 * SCALE; s++) {
      const step = STEPS[int(STEPS.length)]!;
      counts.set(step, (counts.get(step) ?? 0) + 1);
      const label = `step ${s} (${step})`;
      if (step === 'abort-running') {
        const controller = new AbortController();
        const running = loop.predict(trips(FOREVER), { signal: controller.signal });
        await sleep(20 + int(300));
        controller.abort();
        await check(problems, label, running, ['ABORTED'], { okAllowed: false, ms: 10_000 });
      } else if (step === 'timeout') {
        await check(problems, label, loop.predict(trips(FOREVER), { timeoutMs: 20 + int(300) }), ['ABORTED'], { okAllowed: false, ms: 10_000 });
      } else if (step === 'burst') {
        const calls = Array.from({ length: 50 }, async () => {
          const controller = new AbortController();
          const abortAt = int(3) === 0 ? int(20) : -1;
          if (abortAt >= 0) setTimeout(() => controller.abort(), abortAt);
          const out = await sigmoid.predict({ x }, { signal: controller.signal });
          const y = JSON.stringify(Array.from(out.y!.data as Float32Array));
          if (y !== expected) problems.add(`${label}: a predict answered ${y}, expected ${expected}`);
        });
        await Promise.all(calls.map((c, i) => check(problems, `${label} call ${i}`, c, ['ABORTED'], { ms: 20_000 })));
      } else if (step === 'dispose-during') {
        const model: Model = await loadModel(sigmoidModel(), { backend: 'wasm', cache: 'none', name: 'disposed' });
        // Each call's outcome is watched from the start: they reject while dispose() is awaited.
        const calls = Array.from({ length: 10 }, (_, i) => check(problems, `${label} call ${i}`, model.predict({ x }), ['DISPOSED', 'ABORTED'], { ms: 10_000 }));
        await sleep(int(5));
        await check(problems, `${label}: dispose()`, model.dispose(), [], { ms: 10_000 });
        await Promise.all(calls);
      } else {
        const url = await putFile(uniqueName('fault'), big);
        let loaded: Model | undefined;
        const loading = loadModel(`${url}?slow=5`, { backend: 'wasm', name: 'downloaded' }).then((m) => (loaded = m));
        await sleep(20 + int(200));
        const fault =
          step === 'clear-during-download'
            ? clearCache()
            : new Promise<void>((resolve, reject) => {
                const r = indexedDB.deleteDatabase('ml-predict');
                r.onsuccess = () => resolve();
                r.onerror = () => reject(r.error);
              });
        await check(problems, `${label}: the fault itself`, fault, [], { ms: 15_000 });
        // The load predicts (from memory when its store was cleared under it) or fails with a code.
        await check(problems, `${label}: the load`, loading, ['CACHE_UNAVAILABLE', 'ABORTED'], { ms: 30_000 });
        if (loaded) {
          await check(problems, `${label}: predict after`, loaded.predict({ x: { data: new Float32Array(1000).fill(0.5), dims: [1, 1000] } }), [], { ms: 15_000 });
          await loaded.dispose();
        }
        for (const p of await within(15_000, auditStore(), `${label}: the audit`)) problems.add(`${label}: store audit: ${p}`);
      }
      await expectHealthy(label);
    }
    await loop.dispose();
    await sigmoid.dispose();
    console.log(`faults: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(problems.summary()).toEqual([]);
  }, 600_000);
});
