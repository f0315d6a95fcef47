/**
 * 500+ hostile inputs (hostile-inputs.ts, fixed seed) to one model: each predict settles within
 * 20 s as its case says (the same outputs as the plain feed, or INPUT_MISMATCH / INVALID_ARGUMENT /
 * ABORTED quoting the bad value); never INTERNAL, never a raw error; every 25 cases the
 * known-good model still predicts right.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../lib/index.js';
import { check, expectHealthy, Problems, SCALE, Tally } from './harness.js';
import { hostileInputs, threeInputModel, validFeeds } from './hostile-inputs.js';

/** Cases whose float input holds the same values as validFeeds(2): their `y` must equal its `y`. */
const SAME_Y = new Set([
  'a Float32Array tensor',
  'a Float32Array on a SharedArrayBuffer',
  'a typed array with its own constructor property',
  'a proxy of valid rows',
  'a proxy of the whole feeds object',
  'a proxy of string data',
]);

describe('hostile inputs', () => {
  it(`${500 * SCALE}+ generated inputs: each settles as its case says, the worker lives on`, async () => {
    await expectHealthy('nothing');
    const model = await loadModel(threeInputModel(), { backend: 'wasm', cache: 'none', name: 'three-inputs' });
    const reference = Array.from((await model.predict(validFeeds(2) as never)).y!.data as Float32Array);
    const cases = hostileInputs(20261207 + SCALE, 500 * SCALE);
    expect(cases.length).toBeGreaterThanOrEqual(500 * SCALE);
    const problems = new Problems();
    const tally = new Tally();
    for (const [i, c] of cases.entries()) {
      let made: ReturnType<typeof c.make>;
      try {
        made = c.make();
      } catch (e) {
        throw new Error(`case ${c.label} could not be built: ${String(e)}`);
      }
      let y: number[] | undefined;
      const run = Promise.resolve()
        .then(() => model.predict(made.feeds as never, made.options as never))
        .then((out) => (y = out.y ? Array.from(out.y.data as Float32Array) : undefined));
      const outcome = await check(problems, c.label, run, ['INPUT_MISMATCH', 'INVALID_ARGUMENT', 'ABORTED'], { okAllowed: c.expect !== 'error' });
      tally.add(c.category, outcome);
      if (c.expect === 'ok' && !outcome.ok) problems.add(`${c.label}: must predict, rejected with ${outcome.code}`);
      if (outcome.ok && SAME_Y.has(c.label) && JSON.stringify(y) !== JSON.stringify(reference)) problems.add(`${c.label}: y ${JSON.stringify(y)} differs from the plain feed's ${JSON.stringify(reference)}`);
      if (i % 25 === 24) await expectHealthy(c.label);
    }
    // The model itself answers as before.
    expect(Array.from((await model.predict(validFeeds(2) as never)).y!.data as Float32Array)).toEqual(reference);
    await model.dispose();
    await expectHealthy('the last case');
    console.log(`hostile inputs: ${cases.length}\n${tally}`);
    expect(problems.summary()).toEqual([]);
  }, 600_000);
});
