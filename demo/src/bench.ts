/**
 * A short predict benchmark of one model on one backend: load (from the device's cache when it is
 * there), one first predict, a few warm-up runs, then timed runs until a count or a time budget.
 */
import type { Inputs, Model, ModelCard, ModelInfo, Tensor } from 'ml-predict';
import type { Registry } from 'ml-predict/registry';
import { textToTensor } from 'ml-predict/tasks/text';
import type { BenchResult } from './components/bench-chart.js';
import { describeError } from './errors.js';
import { percentile } from './format.js';

export interface BenchOptions {
  signal: AbortSignal;
  /** Timed runs (after warm-up), at most. */
  runs?: number;
  /** Stop timing after this many milliseconds even if fewer runs were made (at least 5 runs). */
  budgetMs?: number;
  onStatus?: (text: string) => void;
}

const FALLBACK_TEXT = 'A moving, beautifully acted film.';

function zeros(type: string, dims: number[]): Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  const data = type === 'int64' ? new BigInt64Array(size) : type === 'int32' ? new Int32Array(size) : new Float32Array(size);
  return { data, dims };
}

/**
 * One input for a benchmark, as the card describes it: its first example (a row of features or a
 * text), a blank image or a silent audio frame of the card's shape; without a card, zeros shaped
 * from the model's input metadata (dynamic dimensions as 1).
 */
export function benchInputs(card: ModelCard | undefined, info: ModelInfo): Inputs {
  const example = card?.examples?.[0] as { features?: number[]; text?: string } | undefined;
  const input = card?.input;
  if (input?.kind === 'features' && Array.isArray(example?.features)) return { [input.tensor]: [example.features] };
  if (input?.kind === 'text') return { [input.tensor]: textToTensor([example?.text ?? FALLBACK_TEXT], input.preprocessing) };
  if (input?.kind === 'image') {
    const { layout, channels, height, width } = input.image;
    const w = width ?? height * 4;
    return { [input.tensor]: zeros('float32', layout === 'flat' ? [1, height * w] : [1, channels, height, w]) };
  }
  if (input?.kind === 'audio') {
    const a = input.audio;
    const inputs: Inputs = { [input.tensor]: zeros('float32', [1, a.contextSamples + a.frameSamples]) };
    if (a.state) inputs[a.state.tensor] = zeros('float32', a.state.dims);
    if (a.sampleRateTensor) inputs[a.sampleRateTensor] = { data: BigInt64Array.of(BigInt(a.sampleRate)), dims: [] };
    return inputs;
  }
  const inputs: Inputs = {};
  for (const t of info.inputs) {
    inputs[t.name] = zeros(t.type, t.dims.map((d) => (typeof d === 'number' && d > 0 && d < 2 ** 31 ? d : 1)));
  }
  return inputs;
}

export async function benchmark(
  registry: Registry,
  name: string,
  card: ModelCard | undefined,
  backend: 'wasm' | 'webgpu',
  options: BenchOptions,
): Promise<BenchResult> {
  const { signal, runs = 40, budgetMs = 3000, onStatus } = options;
  let model: Model | undefined;
  try {
    onStatus?.(`Loading ${name} on ${backend}…`);
    model = await registry.load(name, card ? { backend, signal, card } : { backend, signal });
    const inputs = benchInputs(card, model.info);
    onStatus?.(`First prediction on ${backend}…`);
    let t = performance.now();
    await model.predict(inputs, { signal });
    const firstMs = performance.now() - t;
    for (let i = 0; i < 3; i++) await model.predict(inputs, { signal });
    const times: number[] = [];
    const started = performance.now();
    while (times.length < runs && (times.length < 5 || performance.now() - started < budgetMs)) {
      t = performance.now();
      await model.predict(inputs, { signal });
      times.push(performance.now() - t);
      if (times.length % 10 === 0) onStatus?.(`Timing ${backend}: ${times.length} of ${runs} runs…`);
    }
    return {
      backend,
      status: 'done',
      loadMs: model.info.loadMs,
      firstMs,
      medianMs: percentile(times, 0.5),
      p95Ms: percentile(times, 0.95),
      runs: times.length,
      threads: model.info.threads,
    };
  } catch (e) {
    if (signal.aborted) throw e;
    return { backend, status: 'failed', reason: describeError(e).message };
  } finally {
    await model?.dispose();
  }
}
