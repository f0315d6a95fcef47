/**
 * axe-core on `<ml-predict>` in each state, and (in Chromium) a screenshot of each state in
 * e2e/screenshots/element-*.png for a person to look at.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import axe from 'axe-core';
import '../../lib/element/define.js';
import type { MlPredict } from '../../lib/element/ml-predict.js';
import { largeModel, sigmoidModel } from '../fixtures/models.js';
import { houseCard, houseModel, irisCard, irisModel, loaded, next, part, serveModel, wordCountCard, wordCountModel } from './fixtures.js';
import { elementShot } from './shots.js';

const shots = '../../e2e/screenshots';

beforeAll(async () => {
  await page.viewport(720, 900);
  document.body.style.cssText = 'margin: 0; padding: 24px; background: #f3f4f6; font-family: system-ui, sans-serif;';
});

afterEach(() => document.body.replaceChildren());

function create(attrs: Record<string, string>): MlPredict {
  const el = document.createElement('ml-predict');
  el.style.maxInlineSize = '640px';
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

async function expectNoViolations(el: MlPredict): Promise<void> {
  await el.updateComplete;
  const results = await axe.run(el, { resultTypes: ['violations'] });
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  expect(summary).toEqual([]);
}

async function shot(el: MlPredict, name: string): Promise<void> {
  await el.updateComplete;
  await elementShot(el, `${shots}/element-${name}.png`);
}

describe('<ml-predict> accessibility (axe-core) in every engine; screenshots in Chromium (the other runners take none)', () => {
  it('loading: progress bar with a name, status announced', async () => {
    const { url } = await serveModel(largeModel(400), irisCard, 'loading');
    const el = create({ src: `${url}?slow=150` });
    // Wait until part of the model has arrived, so the bar shows real progress.
    await new Promise<void>((resolve) => {
      const onProgress = (e: CustomEvent<{ loaded: number }>) => {
        if (e.detail.loaded > 0) {
          el.removeEventListener('progress', onProgress);
          resolve();
        }
      };
      el.addEventListener('progress', onProgress);
    });
    expect(el.status).toBe('loading');
    await el.updateComplete;
    expect(part(el, 'progress')!.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).toBe('Loading the model…');
    await expectNoViolations(el);
    await shot(el, 'loading');
  });

  it('ready and result: classifier form, then the label with a bar per class', async () => {
    const { url } = await serveModel(irisModel(), irisCard);
    const el = create({ src: url });
    await loaded(el);
    await expectNoViolations(el);
    await shot(el, 'ready');
    const predicted = next(el, 'prediction');
    part(el, 'form')!.querySelector('button')!.click();
    await predicted;
    await expectNoViolations(el);
    await shot(el, 'result');
    // A phone-sized column: the fields stack, the bars keep their labels.
    el.style.maxInlineSize = '340px';
    await shot(el, 'result-narrow');
  });

  it('result: regression with a select and a unit', async () => {
    const { url } = await serveModel(houseModel(), houseCard);
    const el = create({ src: url });
    await loaded(el);
    const predicted = next(el, 'prediction');
    el.input = { rooms: 4, area: 120, district: 'north' };
    await predicted;
    await expectNoViolations(el);
    await shot(el, 'regression');
  });

  it('ready: a text model with a textarea', async () => {
    const { url } = await serveModel(wordCountModel(), wordCountCard);
    const el = create({ src: url, backend: 'wasm' });
    await loaded(el);
    await expectNoViolations(el);
    const predicted = next(el, 'prediction');
    el.input = 'Slow, but it stays with you for days.';
    await predicted;
    await expectNoViolations(el);
    await shot(el, 'text');
  });

  it('result without a card: raw outputs', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    await loaded(el);
    await expectNoViolations(el);
    const predicted = next(el, 'prediction');
    el.input = { x: [[0.5, -1, 2, 0], [1, 1, 1, 1]] };
    await predicted;
    await expectNoViolations(el);
    await shot(el, 'raw');
  });

  it('error: message, code and a retry button', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: `${url}?status=404` });
    await next(el, 'error');
    await expectNoViolations(el);
    await shot(el, 'error');
  });
});
