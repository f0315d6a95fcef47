/**
 * `<ml-predict>` with the repo's real demo models (public/models, from `npm run models`) through
 * their registry: the generated form has a field per card feature, and a prediction from the
 * card's example values equals the model's own output for the same row.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import axe from 'axe-core';
import '../../lib/element/define.js';
import type { MlPredict } from '../../lib/element/ml-predict.js';
import type { ModelCard } from '../../lib/model/card.js';
import { loaded, next, part } from './fixtures.js';
import { elementShot } from './shots.js';

const registry = '/models/registry.json';

beforeAll(async () => {
  await page.viewport(720, 900);
  document.body.style.cssText = 'margin: 0; padding: 24px; background: #f3f4f6; font-family: system-ui, sans-serif;';
});
afterEach(() => document.body.replaceChildren());

async function open(model: string): Promise<MlPredict> {
  const el = document.createElement('ml-predict');
  el.style.maxInlineSize = '640px';
  el.setAttribute('registry', registry);
  el.setAttribute('model', model);
  el.setAttribute('backend', 'wasm');
  document.body.append(el);
  await loaded(el);
  await el.updateComplete;
  return el;
}

async function noViolations(el: MlPredict): Promise<void> {
  const results = await axe.run(el, { resultTypes: ['violations'] });
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

describe('<ml-predict> with the demo models (screenshots in Chromium)', () => {
  for (const name of ['iris', 'breast-cancer', 'house-price']) {
    it(`${name}: a field per feature; the form's prediction equals the model's on the card example`, async () => {
      const el = await open(name);
      const card = el.modelCard as ModelCard;
      if (card.input.kind !== 'features') throw new Error('expected a features card');
      const features = card.input.features;
      const form = part(el, 'form') as HTMLFormElement;
      const fields = [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')];
      expect(fields.map((f) => f.name)).toEqual(features.map((f) => f.name));
      expect(fields.every((f) => f.labels?.length === 1)).toBe(true);
      // Type the example's values into the fields, in card order, and submit.
      const example = card.examples![0] as { features: number[] };
      fields.forEach((f, i) => (f.value = String(example.features[i])));
      const predicted = next(el, 'prediction');
      form.requestSubmit();
      const { detail } = await predicted;
      const direct = await el.model!.predict({ [card.input.tensor]: [example.features] });
      if (detail.kind === 'classification') {
        const probs = direct[card.outputs.probabilities!]!.data as Float32Array;
        expect(detail.label).toBe(card.outputs.labels![argmax(probs)]);
        expect(Object.values(detail.probabilities)).toEqual(Array.from(probs));
      } else if (detail.kind === 'regression') {
        expect(detail.value).toBe((direct[card.outputs.value!]!.data as Float32Array)[0]);
        expect(detail.unit).toBe(card.outputs.unit);
      } else {
        throw new Error(`unexpected result kind ${detail.kind}`);
      }
      await el.updateComplete;
      await noViolations(el);
      // The page shows at most the viewport: the top of a long form, and its result on its own.
      await elementShot(el, `../../e2e/screenshots/element-demo-${name}.png`);
      part(el, 'result')!.scrollIntoView();
      await elementShot(part(el, 'result')!, `../../e2e/screenshots/element-demo-${name}-result.png`);
    });
  }

  it('sentiment (default model): the textarea text is tokenised as in training', async () => {
    const el = document.createElement('ml-predict');
    el.style.maxInlineSize = '640px';
    el.setAttribute('registry', registry);
    el.setAttribute('backend', 'wasm');
    document.body.append(el);
    await loaded(el);
    await el.updateComplete;
    expect(el.model!.info.name).toBe('sentiment-logreg');
    const textarea = part(el, 'form')!.querySelector('textarea')!;
    expect(textarea.placeholder.length).toBeGreaterThan(0);
    textarea.value = 'A wonderful film, beautifully acted and very moving.';
    const predicted = next(el, 'prediction');
    (part(el, 'form') as HTMLFormElement).requestSubmit();
    const { detail } = await predicted;
    expect(detail).toMatchObject({ kind: 'classification', label: 'positive' });
    const negative = next(el, 'prediction');
    el.input = 'The plot was boring and the acting was awful.';
    expect((await negative).detail).toMatchObject({ kind: 'classification', label: 'negative' });
    await el.updateComplete;
    await noViolations(el);
    await elementShot(el, '../../e2e/screenshots/element-demo-sentiment.png');
  });
});
