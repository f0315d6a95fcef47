import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../lib/element/define.js';
import { MlPredict } from '../../lib/element/ml-predict.js';
import { runtimeWorker } from '../../lib/worker/host.js';
import { largeModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, rejection, requestCount, uniqueName } from '../helpers.js';
import {
  cardFor,
  houseCard,
  houseModel,
  irisCard,
  irisModel,
  loaded,
  next,
  part,
  serveModel,
  serveRegistry,
  sha256Integrity,
  shadow,
  wordCountCard,
  wordCountModel,
} from './fixtures.js';
import type { LoadProgress } from '../../lib/types.js';

const elements: MlPredict[] = [];

function create(attrs: Record<string, string> = {}, parent: HTMLElement = document.body): MlPredict {
  const el = document.createElement('ml-predict');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  elements.push(el);
  parent.append(el);
  return el;
}

afterEach(() => {
  for (const el of elements.splice(0)) el.remove();
  document.body.replaceChildren();
});

describe('<ml-predict> definition', () => {
  it('is defined once, and a second define module does not throw', async () => {
    expect(customElements.get('ml-predict')).toBe(MlPredict);
    // A fresh instance of the define module (another bundle on the same page) keeps the first definition.
    const again = (await import(/* @vite-ignore */ `../../lib/element/define.ts?again=${Date.now()}`)) as { TAG_NAME: string };
    expect(again.TAG_NAME).toBe('ml-predict');
    expect(customElements.get('ml-predict')).toBe(MlPredict);
    expect(document.createElement('ml-predict')).toBeInstanceOf(MlPredict);
  });
});

describe('<ml-predict> with a model card', () => {
  it('loads src, finds the card beside it and builds a labelled form with defaults', async () => {
    const { url } = await serveModel(irisModel(), irisCard);
    const el = create({ src: url });
    const ready = loaded(el);
    await el.updateComplete;
    expect(el.status).toBe('loading');
    expect(el.matches(':state(loading)')).toBe(true);
    expect(part(el, 'progress')).not.toBeNull();
    const { detail } = await ready;
    expect(detail.model).toBe(el.model);
    expect(el.status).toBe('ready');
    expect(el.matches(':state(ready)')).toBe(true);
    expect(el.model!.info.card?.name).toBe('iris-test');
    await el.updateComplete;
    const form = part(el, 'form')!;
    expect(form).toBeInstanceOf(HTMLFormElement);
    const inputs = [...form.querySelectorAll('input')];
    expect(inputs.map((i) => i.name)).toEqual(['sepal_length', 'sepal_width', 'petal_length']);
    expect(inputs.map((i) => i.labels?.[0]?.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'sepal length (cm)',
      'sepal width (cm)',
      'petal length (cm)',
    ]);
    expect(inputs.map((i) => i.value)).toEqual(['1.5', '-0.5', '0.25']);
    expect(inputs[0]!.min).toBe('0');
    expect(inputs[0]!.max).toBe('10');
    expect(shadow(el).getElementById(inputs[2]!.getAttribute('aria-describedby')!)?.textContent).toBe('Longest petal. Range -5 to 10');
  });

  it('is usable by keyboard: Tab through the fields, Enter predicts, the result shows a bar per class', async () => {
    const { url } = await serveModel(irisModel(), irisCard);
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    const el = create({ src: url });
    await loaded(el);
    await el.updateComplete;
    before.focus();
    await userEvent.tab();
    expect(shadow(el).activeElement?.getAttribute('name')).toBe('sepal_length');
    await userEvent.keyboard('{Control>}a{/Control}2');
    await userEvent.tab();
    await userEvent.tab();
    expect(shadow(el).activeElement?.getAttribute('name')).toBe('petal_length');
    await userEvent.tab();
    expect(shadow(el).activeElement?.textContent).toBe('Predict');
    const predicted = next(el, 'prediction');
    await userEvent.keyboard('{Enter}');
    const { detail } = await predicted;
    expect(el.input).toEqual({ sepal_length: 2, sepal_width: -0.5, petal_length: 0.25 });
    expect(detail).toBe(el.result);
    expect(detail.kind).toBe('classification');
    if (detail.kind !== 'classification') return;
    // The label agrees with the model's own label output and the most probable class.
    const direct = await el.model!.predict({ features: [[2, -0.5, 0.25]] });
    const index = Number((direct.label!.data as BigInt64Array)[0]);
    expect(detail.label).toBe(irisCard.outputs.labels![index]);
    const probs = Object.values(detail.probabilities);
    expect(probs).toHaveLength(3);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await el.updateComplete;
    const result = part(el, 'result')!;
    expect(result.querySelector('strong')!.textContent).toBe(detail.label);
    expect([...result.querySelectorAll('li .name')].map((n) => n.textContent)).toEqual(['setosa', 'versicolor', 'virginica']);
    const fills = [...result.querySelectorAll<HTMLElement>('li .fill')].map((f) => parseFloat(f.style.inlineSize));
    fills.forEach((width, i) => expect(width).toBeCloseTo(probs[i]! * 100, 3));
    expect(shadow(el).querySelector('[role="status"]')!.textContent).toMatch(new RegExp(`^Prediction: ${detail.label} \\(\\d+\\.\\d%\\)\\.$`));
  });

  it('regression: select for a category, value with its unit; input by feature name', async () => {
    const { url } = await serveModel(houseModel(), houseCard);
    const el = create({ src: url });
    await loaded(el);
    await el.updateComplete;
    const select = part(el, 'form')!.querySelector('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['north', 'centre', 'south']);
    expect(select.value).toBe('centre');
    // Through the form: rooms 3, area 80, district index 1 → 36 + 120 + 40 + 7 = 203.
    const first = next(el, 'prediction');
    part(el, 'form')!.querySelector('button')!.click();
    expect((await first).detail).toMatchObject({ kind: 'regression', value: 203, unit: 'k€' });
    await el.updateComplete;
    expect(part(el, 'result')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('Prediction 203 k€');
    // Through the property, by feature name: 12·2 + 1.5·100 + 40·2 + 7 = 261.
    const second = next(el, 'prediction');
    el.input = { rooms: 2, area: 100, district: 'south' };
    expect((await second).detail).toMatchObject({ kind: 'regression', value: 261 });
    expect(el.result).toMatchObject({ value: 261 });
    await el.updateComplete;
    // The form shows what was predicted on.
    expect([...part(el, 'form')!.querySelectorAll('input')].map((i) => i.value)).toEqual(['2', '100']);
    expect(part(el, 'form')!.querySelector('select')!.value).toBe('south');
  });

  it('text models get a textarea; the text is tokenised per the card', async () => {
    const { url } = await serveModel(wordCountModel(), wordCountCard);
    const el = create({ src: url, backend: 'wasm' });
    await loaded(el);
    await el.updateComplete;
    const textarea = part(el, 'form')!.querySelector('textarea')!;
    expect(textarea.labels?.[0]?.textContent).toBe('Text');
    expect(part(el, 'form')!.querySelector(`#${textarea.getAttribute('aria-describedby')}`)!.textContent).toBe('Review');
    expect(textarea.placeholder).toBe('A quiet, moving film.');
    textarea.focus();
    await userEvent.keyboard("It's a GREAT film, really great");
    const predicted = next(el, 'prediction');
    (part(el, 'form') as HTMLFormElement).requestSubmit();
    expect((await predicted).detail).toMatchObject({ kind: 'regression', value: 6, unit: 'words' });
  });

  it('the card property replaces the fetched card', async () => {
    const bytes = irisModel();
    const { url, name } = await serveModel(bytes, undefined);
    const el = document.createElement('ml-predict');
    el.card = await cardFor(irisCard, bytes, name);
    el.src = url;
    document.body.append(el);
    elements.push(el);
    await loaded(el);
    expect(await requestCount(name.replace(/\.onnx$/, '.card.json'))).toBe(0);
    await el.updateComplete;
    expect(part(el, 'form')!.querySelectorAll('input')).toHaveLength(3);
  });
});

describe('<ml-predict> without a card', () => {
  it('predicts from the input property and shows the raw outputs', async () => {
    const { url, name } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    await loaded(el);
    expect(await requestCount(name.replace(/\.onnx$/, '.card.json'))).toBe(1); // looked for, 404
    await el.updateComplete;
    expect(part(el, 'form')).toBeNull();
    expect(shadow(el).textContent).toContain('set the input property');
    const predicted = next(el, 'prediction');
    el.input = { x: [[1, 2, 3, 4]] };
    const { detail } = await predicted;
    expect(detail.kind).toBe('raw');
    const y = detail.outputs.y!;
    expect(y.dims).toEqual([1, 2]);
    await el.updateComplete;
    const result = part(el, 'result')!;
    expect(result.querySelector('dt')!.textContent).toBe('y float32 [1, 2]');
    const shown = result.querySelector('dd')!.textContent!.split(', ').map(Number);
    expect(shown[0]).toBeCloseTo((y.data as Float32Array)[0]!, 4);
  });

  it('a blob: URL loads (no card is looked for beside it)', async () => {
    const url = URL.createObjectURL(new Blob([sigmoidModel() as BlobPart]));
    try {
      const el = create({ src: url, backend: 'wasm' });
      const { detail } = await loaded(el);
      expect(detail.model.info.url).toBe(url);
      expect(el.modelCard).toBeUndefined();
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  it('an input set before the model is ready is predicted once it loads', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = document.createElement('ml-predict');
    el.input = { x: [[0, 0, 0, 0]] };
    el.src = url;
    const predicted = next(el, 'prediction');
    document.body.append(el);
    elements.push(el);
    const { detail } = await predicted;
    expect(detail.outputs.y!.dims).toEqual([1, 2]);
    expect(el.status).toBe('ready');
  });

  it('predict() waits for the load and rejects a bad input with an error event (during predict)', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    const failed = next(el, 'error');
    const err = await rejection(el.predict({ x: [[1, 2, 3]] }));
    expect(err.code).toBe('INPUT_MISMATCH');
    const { detail } = await failed;
    expect(detail).toMatchObject({ code: 'INPUT_MISMATCH', during: 'predict', message: err.message });
    expect(el.status).toBe('ready');
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).toContain(err.message);
    // The next good prediction clears the error.
    await el.predict({ x: [[1, 2, 3, 4]] });
    await el.updateComplete;
    expect(part(el, 'error')).toBeNull();
  });
});

describe('<ml-predict> attributes', () => {
  it('progress: events move forward with the total, the progress part shows meanwhile', async () => {
    const bytes = largeModel(200); // ~800 KB: 13 chunks of 64 KiB
    const { url } = await serveModel(bytes, undefined, 'progress');
    const el = create({ src: `${url}?slow=20` });
    const events: LoadProgress[] = [];
    el.addEventListener('progress', (e) => events.push(e.detail));
    const firstProgress = next(el, 'progress');
    await firstProgress;
    await el.updateComplete;
    expect(part(el, 'progress')!.querySelector('[role="progressbar"]')).not.toBeNull();
    await loaded(el);
    const downloads = events.filter((e) => e.phase === 'download');
    expect(downloads.length).toBeGreaterThan(1);
    expect(downloads.every((e) => e.total === bytes.length)).toBe(true);
    for (let i = 1; i < downloads.length; i++) expect(downloads[i]!.loaded).toBeGreaterThanOrEqual(downloads[i - 1]!.loaded);
    expect(downloads.at(-1)!.loaded).toBe(bytes.length);
    await el.updateComplete;
    expect(part(el, 'progress')).toBeNull();
  });

  it('a slotted progress element replaces the built-in one while loading', async () => {
    const { url } = await serveModel(largeModel(100), undefined, 'slot');
    const el = document.createElement('ml-predict');
    const custom = document.createElement('p');
    custom.slot = 'progress';
    custom.textContent = 'Warming up…';
    el.append(custom);
    el.src = `${url}?slow=20`;
    document.body.append(el);
    elements.push(el);
    await next(el, 'progress');
    await el.updateComplete;
    const slot = shadow(el).querySelector<HTMLSlotElement>('slot[name="progress"]')!;
    expect(slot.assignedElements()).toEqual([custom]);
    await loaded(el);
    await el.updateComplete;
    expect(shadow(el).querySelector('slot[name="progress"]')).toBeNull();
  });

  it('a slotted result element replaces the built-in one', async () => {
    const { url } = await serveModel(irisModel(), irisCard);
    const el = create({ src: url });
    const custom = document.createElement('output');
    custom.slot = 'result';
    el.append(custom);
    el.addEventListener('prediction', (e) => {
      if (e.detail.kind === 'classification') custom.textContent = `It is ${e.detail.label}`;
    });
    await loaded(el);
    await el.predict({ sepal_length: 1, sepal_width: 1, petal_length: 1 });
    await el.updateComplete;
    const slot = shadow(el).querySelector<HTMLSlotElement>('slot[name="result"]')!;
    expect(slot.assignedElements()).toEqual([custom]);
    expect(custom.textContent).toMatch(/^It is (setosa|versicolor|virginica)$/);
  });

  it('integrity: the right digest loads; backend="wasm" picks wasm', async () => {
    const bytes = irisModel();
    const { url } = await serveModel(bytes, undefined);
    const el = create({ src: url, integrity: await sha256Integrity(bytes), backend: 'wasm' });
    const { detail } = await loaded(el);
    expect(detail.model.info.backend.name).toBe('wasm');
    expect(detail.model.info.sha256).toBeDefined();
  });

  it('loading="lazy" waits until the element is near the viewport', async () => {
    const { url, name } = await serveModel(sigmoidModel(), undefined, 'lazy');
    const spacer = document.createElement('div');
    spacer.style.blockSize = '5000px';
    document.body.append(spacer);
    const el = create({ src: url, loading: 'lazy' });
    // Our own observer's first report comes after the element's (registered first) has run.
    const report = await new Promise<IntersectionObserverEntry>((resolve) => {
      const io = new IntersectionObserver((entries) => {
        io.disconnect();
        resolve(entries[0]!);
      });
      io.observe(el);
    });
    expect(report.isIntersecting).toBe(false);
    expect(el.status).toBe('idle');
    expect(await requestCount(name)).toBe(0);
    const ready = loaded(el);
    el.scrollIntoView();
    await ready;
    expect(await requestCount(name)).toBe(1);
  });
});

describe('<ml-predict> lifecycle', () => {
  it('two elements with the same src share one download and one session', async () => {
    const { url, name } = await serveModel(largeModel(100), undefined, 'shared');
    const a = create({ src: `${url}?slow=10` });
    const b = create({ src: `${url}?slow=10` });
    const [la, lb] = await Promise.all([loaded(a), loaded(b)]);
    expect(la.detail.model).not.toBe(lb.detail.model);
    expect(await requestCount(name)).toBe(1);
    expect(await runtimeWorker().call((api) => api.sessionCount())).toBe(1);
    // Removing one keeps the other's session.
    const modelA = a.model!;
    a.remove();
    expect(modelA.disposed).toBe(true);
    expect((await b.predict({ x: [new Array(1000).fill(0)] })).kind).toBe('raw');
    expect(await runtimeWorker().call((api) => api.sessionCount())).toBe(1);
  });

  it('removing the element disposes its model', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    const { detail } = await loaded(el);
    const worker = runtimeWorker();
    expect(await worker.call((api) => api.sessionCount())).toBe(1);
    el.remove();
    expect(el.model).toBeUndefined();
    expect(detail.model.disposed).toBe(true);
    expect((await rejection(detail.model.predict({ x: [[1, 2, 3, 4]] }))).code).toBe('DISPOSED');
    // Its session is released in the worker (or the idle worker ended).
    if (!worker.dead) expect(await worker.call((api) => api.sessionCount())).toBe(0);
  });

  it('changing src mid-load cancels it: only the newest model fires load', async () => {
    const slow = await serveModel(largeModel(300), undefined, 'old');
    const fresh = await serveModel(irisModel(), irisCard, 'new');
    const el = create({ src: `${slow.url}?slow=50` });
    const loads: string[] = [];
    el.addEventListener('load', (e) => loads.push(e.detail.model.info.url!));
    await next(el, 'progress'); // the old download is under way
    el.src = fresh.url;
    await loaded(el);
    expect(loads).toEqual([fresh.url]);
    expect(el.model!.info.url).toBe(fresh.url);
    expect(el.modelCard?.name).toBe('iris-test');
    // Loading the old source to the end elsewhere: had the first load survived, it would share
    // this session and fire its load first.
    const other = create({ src: `${slow.url}?slow=1` });
    await loaded(other);
    expect(loads).toEqual([fresh.url]);
    expect(el.model!.info.url).toBe(fresh.url);
  });

  it('listeners see the state their event reports: status and model on load, result on prediction, status on error', async () => {
    const { url } = await serveModel(irisModel(), irisCard);
    const el = create({ src: url });
    const seen: unknown[] = [];
    el.addEventListener('load', (e) => seen.push(['load', el.status, el.model === e.detail.model]));
    el.addEventListener('prediction', (e) => seen.push(['prediction', el.status, el.result === e.detail]));
    el.addEventListener('error', (e) => seen.push(['error', el.status, e.detail.during]));
    await loaded(el);
    await el.predict({ sepal_length: 1, sepal_width: 1, petal_length: 1 });
    await rejection(el.predict({ features: [[1, 2]] }));
    expect(seen).toEqual([
      ['load', 'ready', true],
      ['prediction', 'ready', true],
      ['error', 'ready', 'predict'],
    ]);
    const failing = create({ src: `${url}?status=404` });
    const failed = new Promise<string>((resolve) => failing.addEventListener('error', () => resolve(failing.status), { once: true }));
    expect(await failed).toBe('error');
  });

  it('predict() waiting for a load rejects when the source is removed meanwhile', async () => {
    const { url } = await serveModel(largeModel(200), undefined, 'gone');
    const el = create({ src: `${url}?slow=50` });
    const waiting = el.predict({ x: [new Array(1000).fill(0)] });
    await next(el, 'progress');
    el.removeAttribute('src');
    const err = await rejection(waiting);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('<ml-predict> cannot predict: it has no model: set its src or registry attribute.');
    expect(el.status).toBe('idle');
  });

  it('an element moved in the document (removed and put back at once) loads again', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    const first = (await loaded(el)).detail.model;
    const again = loaded(el);
    document.body.prepend(el);
    const { detail } = await again;
    expect(first.disposed).toBe(true);
    expect(detail.model).not.toBe(first);
    expect(el.model).toBe(detail.model);
    expect(el.status).toBe('ready');
  });

  it('a removed and re-added element loads again', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const el = create({ src: url });
    await loaded(el);
    el.remove();
    expect(el.status).toBe('idle');
    const again = loaded(el);
    document.body.append(el);
    await again;
    expect(el.model?.disposed).toBe(false);
  });
});

describe('<ml-predict> errors', () => {
  async function errorOf(el: MlPredict) {
    const { detail } = await next(el, 'error');
    expect(el.status).toBe('error');
    expect(el.matches(':state(error)')).toBe(true);
    await el.updateComplete;
    const shown = part(el, 'error')!;
    expect(shown.querySelector('.message')!.textContent).toBe(detail.message);
    expect(shown.querySelector('.code')!.textContent).toBe(detail.code);
    expect(shadow(el).querySelector('[role="status"]')!.textContent).toBe(`The model could not be loaded: ${detail.message}`);
    return detail;
  }

  it('a bad src → FETCH_FAILED', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const detail = await errorOf(create({ src: `${url}?status=404` }));
    expect(detail.code).toBe('FETCH_FAILED');
    expect(detail.during).toBe('load');
    expect(detail.message).toContain('404');
  });

  it('a tampered model with integrity → INTEGRITY_MISMATCH', async () => {
    const bytes = sigmoidModel();
    const { url } = await serveModel(bytes, undefined);
    const detail = await errorOf(create({ src: `${url}?tamper=40`, integrity: await sha256Integrity(bytes), backend: 'wasm' }));
    expect(detail.code).toBe('INTEGRITY_MISMATCH');
  });

  it('an unknown backend → INVALID_ARGUMENT naming the valid ones', async () => {
    const { url } = await serveModel(sigmoidModel(), undefined);
    const detail = await errorOf(create({ src: url, backend: 'webgl' }));
    expect(detail.code).toBe('INVALID_ARGUMENT');
    expect(detail.message).toContain('"webgl"');
    expect(detail.message).toContain('"wasm"');
  });

  it('"Try again" retries a failed load (a failure is not remembered)', async () => {
    const name = uniqueName('later');
    const el = create({ src: `/__test/files/${name}` });
    expect((await errorOf(el)).code).toBe('FETCH_FAILED');
    await putFile(name, sigmoidModel());
    const again = loaded(el);
    part(el, 'error')!.querySelector('button')!.click();
    await again;
    expect(el.status).toBe('ready');
    await el.updateComplete;
    expect(part(el, 'error')).toBeNull();
  });
});

describe('<ml-predict> with a registry', () => {
  const models = () => ({
    iris: { bytes: irisModel(), card: irisCard },
    house: { bytes: houseModel(), card: houseCard },
  });

  it('registry without model → the default model, with its checked card and integrity', async () => {
    const { url, files } = await serveRegistry(models(), 'house');
    const el = create({ registry: url });
    const { detail } = await loaded(el);
    expect(detail.model.info.name).toBe('house');
    expect(detail.model.info.version).toBe('1.0.0');
    expect(detail.model.info.url).toContain(files.house);
    expect(el.modelCard?.name).toBe('house');
    await el.updateComplete;
    expect(part(el, 'form')!.querySelector('select')).not.toBeNull();
  });

  it('model picks a model by name; two elements share its download; changing model switches', async () => {
    const { url, files } = await serveRegistry(models());
    const a = create({ registry: url, model: 'house' });
    const b = create({ registry: url, model: 'house' });
    await Promise.all([loaded(a), loaded(b)]);
    expect(await requestCount(files.house!)).toBe(1);
    expect(await requestCount(files.iris!)).toBe(0);
    const switched = loaded(a);
    a.setAttribute('model', 'iris');
    expect((await switched).detail.model.info.name).toBe('iris');
    const predicted = next(a, 'prediction');
    a.input = { sepal_length: 5, sepal_width: 3, petal_length: 1 };
    expect((await predicted).detail.kind).toBe('classification');
  });

  it('an unknown model or version → UNKNOWN_MODEL naming the ones there are', async () => {
    const { url } = await serveRegistry(models());
    const el = create({ registry: url, model: 'irsi' });
    const { detail } = await next(el, 'error');
    expect(detail.code).toBe('UNKNOWN_MODEL');
    expect(detail.message).toContain('"irsi"');
    expect(detail.message).toContain('"iris", "house"');
    const again = next(el, 'error');
    el.modelName = 'iris';
    el.version = '9.9.9';
    expect((await again).detail.code).toBe('UNKNOWN_MODEL');
    const ok = loaded(el);
    el.version = 'stable';
    await ok;
  });

  it('a missing registry → FETCH_FAILED', async () => {
    const el = create({ registry: '/__test/files/no-such-registry.json' });
    const { detail } = await next(el, 'error');
    expect(detail.code).toBe('FETCH_FAILED');
  });
});

describe('<ml-predict> card checks', () => {
  it('a card beside the model that describes other bytes → CARD_INVALID, no form', async () => {
    const { url, cardName } = await serveModel(irisModel(), irisCard);
    // Publish a card for other bytes beside it.
    await putFile(cardName, JSON.stringify({ ...irisCard, model: { file: 'x.onnx', sha256: 'ab'.repeat(32), bytes: 10 } }), 'application/json');
    const el = create({ src: url });
    const { detail } = await next(el, 'error');
    expect(detail.code).toBe('CARD_INVALID');
    expect(detail.message).toContain('is for other bytes');
    expect(el.model).toBeUndefined();
    await el.updateComplete;
    expect(part(el, 'form')).toBeNull();
  });

  it('a broken card → CARD_INVALID naming the field; an HTML fallback page is no card', async () => {
    const { url, cardName } = await serveModel(irisModel(), undefined);
    await putFile(cardName, JSON.stringify({ ...irisCard, task: 'guessing' }), 'application/json');
    const el = create({ src: url });
    const { detail } = await next(el, 'error');
    expect(detail.code).toBe('CARD_INVALID');
    expect(detail.message).toContain('task');
    await putFile(cardName, '<!doctype html><title>app</title>', 'text/html');
    const ok = loaded(el);
    part(el, 'error')!.querySelector('button')!.click();
    await ok;
    expect(el.modelCard).toBeUndefined();
  });
});
