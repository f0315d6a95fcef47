/**
 * A scikit-learn-style pipeline with one input per column (the registry's titanic model: string
 * pclass, sex, embarked and float age, fare, sibsp, [N, 1] each; an Imputer for unknown ages) in
 * real Chromium: `predict` with an object of columns, `predictValues`, the `<ml-predict>` form,
 * a CSV batch job and a drift report. Its rows are the published training CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import axe from 'axe-core';
import '../../lib/element/define.js';
import { createBatchJob, type BatchJob } from '../../lib/batch/index.js';
import { openRegistry } from '../../lib/registry.js';
import type { ClassificationResult, Inputs, Model } from '../../lib/index.js';
import { loaded, next, part } from '../element/fixtures.js';
import { rejection } from '../helpers.js';

type Row = Record<'pclass' | 'sex' | 'embarked' | 'age' | 'fare' | 'sibsp' | 'survived', string>;

let model: Model;
let rows: Row[];
const jobs: BatchJob[] = [];

beforeAll(async () => {
  const registry = await openRegistry('/models/registry.json');
  model = await registry.load('titanic', { backend: 'wasm' });
  const text = await (await fetch('/models/titanic-1.0.0.train.csv')).text();
  rows = Papa.parse<Row>(text, { header: true, skipEmptyLines: true }).data;
});

afterAll(async () => {
  for (const j of jobs) await j.delete().catch(() => undefined);
  await model.dispose();
});

/** Rows as model inputs by tensor name: strings [N, 1] for the categories, numbers [N, 1] (NaN for an empty age). */
function columns(list: readonly Row[]): Inputs {
  const strings = (k: keyof Row) => ({ data: list.map((r) => r[k]), dims: [list.length, 1] });
  const numbers = (k: keyof Row) => list.map((r) => [r[k] === '' ? Number.NaN : Number(r[k])]);
  return { pclass: strings('pclass'), sex: strings('sex'), embarked: strings('embarked'), age: numbers('age'), fare: numbers('fare'), sibsp: numbers('sibsp') };
}

function probabilities(out: Record<string, { data: unknown }>): number[] {
  return Array.from(out.probabilities!.data as Float32Array);
}

/** The median of the known training ages: what the graph's Imputer puts in for an unknown age. */
function medianAge(): number {
  const ages = rows.filter((r) => r.age !== '').map((r) => Number(r.age)).sort((a, b) => a - b);
  const m = ages.length >> 1;
  return ages.length % 2 ? ages[m]! : (ages[m - 1]! + ages[m]!) / 2;
}

const woman = { pclass: '1', sex: 'female', embarked: 'C', age: 30, fare: 80, sibsp: 0 };
const man = { pclass: '3', sex: 'male', embarked: 'S', age: 40, fare: 7.9, sibsp: 0 };

describe('a pipeline with one input per column (titanic)', () => {
  it('predict takes an object of columns, strings and numbers; an unknown age (NaN) is the imputed median', async () => {
    expect(model.info.inputs.map((i) => `${i.name} ${i.type}`)).toEqual(['pclass string', 'sex string', 'embarked string', 'age float32', 'fare float32', 'sibsp float32']);
    const out = await model.predict(columns(rows));
    expect(out.label!.dims).toEqual([rows.length]);
    expect(out.probabilities!.dims).toEqual([rows.length, 2]);
    const labels = Array.from(out.label!.data as BigInt64Array, Number);
    const accuracy = labels.filter((l, i) => l === Number(rows[i]!.survived)).length / rows.length;
    expect(accuracy).toBeGreaterThan(0.75);
    const unknown = rows.filter((r) => r.age === '').slice(0, 20);
    expect(unknown.length).toBe(20);
    const imputed = await model.predict(columns(unknown.map((r) => ({ ...r, age: String(medianAge()) }))));
    const asNaN = probabilities(await model.predict(columns(unknown)));
    probabilities(imputed).forEach((p, i) => expect(asNaN[i]).toBeCloseTo(p, 6));
  });

  it('predictValues reads feature values by name, an empty age included, and names the labels', async () => {
    const { results, outputs } = await model.predictValues([woman, man, { ...man, age: '' }]);
    const labels = (results as ClassificationResult[]).map((r) => r.label);
    expect(labels.slice(0, 2)).toEqual(['survived', 'died']);
    expect(Object.keys((results[0] as ClassificationResult).probabilities)).toEqual(['died', 'survived']);
    const unknownAge = probabilities(await model.predict(columns([{ ...man, age: String(medianAge()), fare: '7.9', sibsp: '0', survived: '' }])));
    expect(probabilities(outputs).slice(4)[1]).toBeCloseTo(unknownAge[1]!, 6);
    const bad = await rejection(model.predictValues({ ...woman, sex: 'other' }));
    expect(bad.code).toBe('INVALID_ARGUMENT');
    expect(bad.message).toBe('Feature "sex" of model "titanic" is "other". Expected one of: "female", "male".');
  });

  it('<ml-predict>: a select per category, a number field per numeric feature; the label shows; an empty age predicts', async () => {
    const el = document.createElement('ml-predict');
    el.setAttribute('src', '/models/titanic-1.0.0.onnx');
    el.setAttribute('backend', 'wasm');
    document.body.append(el);
    try {
      await loaded(el);
      await el.updateComplete;
      const form = part(el, 'form') as HTMLFormElement;
      const field = (name: string) => form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)!;
      expect([...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].map((f) => `${f.name} ${f.tagName.toLowerCase()}`)).toEqual([
        'pclass select',
        'sex select',
        'embarked select',
        'age input',
        'fare input',
        'sibsp input',
      ]);
      expect([...(field('embarked') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['C', 'Q', 'S']);
      expect((field('age') as HTMLInputElement).required).toBe(false);
      expect(form.querySelector(`#${field('age').getAttribute('aria-describedby')}`)!.textContent).toContain('May be left empty when unknown');
      for (const [k, v] of Object.entries(woman)) field(k).value = String(v);
      const first = next(el, 'prediction');
      form.requestSubmit();
      expect((await first).detail).toMatchObject({ kind: 'classification', label: 'survived' });
      await el.updateComplete;
      expect(part(el, 'result')!.querySelector('strong')!.textContent).toBe('survived');
      // A man in third class whose age is not known.
      for (const [k, v] of Object.entries({ ...man, age: '' })) field(k).value = String(v);
      const second = next(el, 'prediction');
      form.requestSubmit();
      const { detail } = await second;
      const want = (await model.predictValues({ ...man, age: '' })).results[0] as ClassificationResult;
      expect(detail).toMatchObject({ kind: 'classification', label: want.label });
      expect((detail as ClassificationResult).probabilities.survived).toBeCloseTo(want.probabilities.survived!, 6);
      await el.updateComplete;
      expect(field('age').value).toBe('');
      expect(part(el, 'error')).toBeNull();
      const a11y = await axe.run(el, { resultTypes: ['violations'] });
      expect(a11y.violations.map((v) => v.id)).toEqual([]);
    } finally {
      el.remove();
    }
  });

  it('a CSV batch job feeds each column to its own tensor, strings and numbers; an empty age is predicted, bad cells are row errors', async () => {
    const header = ['survived', 'sex', 'age', 'pclass', 'embarked', 'fare', 'sibsp'];
    const chosen = rows.slice(0, 60);
    const cells = chosen.map((r) => header.map((h) => r[h as keyof Row]));
    cells[7] = ['1', 'unknown', '30', '1', 'C', '50', '0']; // row 8: not a category
    cells[12] = ['0', 'male', '30', '3', 'S', '', '0']; // row 13: empty fare (no defaults)
    const csv = Papa.unparse([header, ...cells], { newline: '\n' });
    const j = await createBatchJob(new File([csv], 'passengers.csv', { type: 'text/csv' }), { model, batchSize: 25 });
    jobs.push(j);
    const record = await j.finished();
    expect(record).toMatchObject({ status: 'done', input: 'columns', rowsDone: 60, predicted: 58, errorsByKind: { category: 1, empty: 1 } });
    expect(record.firstErrors).toEqual([
      { row: 8, kind: 'category', reason: 'column "sex" is "unknown", expected one of: "female", "male"' },
      { row: 13, kind: 'empty', reason: 'column "fare" is empty' },
    ]);
    const good = chosen.filter((_, i) => i !== 7 && i !== 12);
    expect(good.some((r) => r.age === '')).toBe(true);
    const want = probabilities(await model.predict(columns(good)));
    const got: number[] = [];
    for await (const c of j.chunks()) if (c.outputs) got.push(...probabilities(c.outputs));
    expect(got).toHaveLength(want.length);
    got.forEach((p, i) => expect(p).toBeCloseTo(want[i]!, 6));
    const parsed = Papa.parse<Record<string, string>>(await (await j.download()).text(), { header: true, skipEmptyLines: true });
    expect(parsed.data).toHaveLength(60);
    expect(parsed.meta.fields).toEqual([...header, 'prediction', 'probability_died', 'probability_survived', 'error']);
    expect(parsed.data.filter((r) => r.prediction !== '').every((r) => r.prediction === 'died' || r.prediction === 'survived')).toBe(true);
  });

  it('drift: numeric features by KS with unknown ages counted as missing, categorical ones by their counts; a shift is flagged', async () => {
    await model.monitor({ seed: 3 });
    for (let i = 0; i < rows.length; i += 250) await model.predict(columns(rows.slice(i, i + 250)));
    const calm = await model.driftReport();
    expect(calm.observed).toBe(rows.length);
    const by = Object.fromEntries(calm.features.map((f) => [f.name, f]));
    expect(Object.keys(by)).toEqual(['age', 'fare', 'sibsp', 'pclass', 'sex', 'embarked']);
    expect(by.age).toMatchObject({ test: 'ks', drifted: false });
    expect(by.age!.missing).toBe(rows.filter((r) => r.age === '').length);
    expect(by.sex).toMatchObject({ test: 'z', drifted: false, currentSize: rows.length });
    expect(by.pclass).toMatchObject({ test: 'chi2', drifted: false });
    expect(calm.datasetDrift).toBe(false);
    expect(calm.labels?.currentSize).toBe(rows.length);

    await model.monitor({ seed: 3 }); // a fresh reservoir
    const older = rows.slice(0, 300).map((r) => ({ ...r, sex: 'male', pclass: '3', age: r.age === '' ? '' : String(Number(r.age) + 25) }));
    await model.predict(columns(older));
    const shifted = await model.driftReport();
    expect(shifted.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['age', 'pclass', 'sex']);
    expect(shifted.datasetDrift).toBe(true);
  });
});
