/**
 * Text-line recognition with PaddleOCR's recogniser: image → normalised tensor (resized to the
 * model's height, aspect ratio kept), and CTC decoding of the per-step class probabilities with
 * the keys file. Pure helpers plus `recognizeText`, which drives any model handle's predict().
 */
import { MlPredictError, quote } from '../errors.js';
import { checkOptions } from '../options.js';
import type { ImagePreprocessing, ModelCard } from '../model/card.js';
import type { Inputs, Outputs, Tensor } from '../types.js';

/** PP-OCR recogniser input, as in its card: [N, 3, 48, W], (pixel/255 − 0.5)/0.5, BGR. */
export const PPOCR_PREPROCESSING: ImagePreprocessing = {
  layout: 'nchw',
  channels: 3,
  height: 48,
  width: null,
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  channelOrder: 'bgr',
};

/** RGBA pixels, as ImageData has them. */
export interface RgbaImage {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export interface ImageTensorOptions {
  /** Widest tensor allowed (longer lines are squeezed); default 3200. */
  maxWidth?: number;
}

function bad(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

/**
 * An RGBA image → a float tensor for the model: bilinear resize to the model's height keeping
 * the aspect ratio (or to its fixed width), transparent pixels composited on white, then
 * value = (pixel × scale − mean) / std per channel. Layout 'nchw' or 'flat' as the card says.
 */
export function imageToTensor(image: RgbaImage, pre: ImagePreprocessing = PPOCR_PREPROCESSING, options: ImageTensorOptions = {}): Tensor {
  checkOptions(options, 'imageToTensor()', { maxWidth: { integer: [8, 100_000] } });
  const { data, width: w, height: h } = image ?? ({} as RgbaImage);
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array) || !(w > 0) || !(h > 0) || data.length !== w * h * 4) {
    throw bad(`Expected an RGBA image { data, width, height } with width × height × 4 bytes, got ${quote(image)}.`);
  }
  const H = pre.height;
  const W = pre.width ?? Math.max(8, Math.min(options.maxWidth ?? 3200, Math.ceil((H * w) / h)));
  const C = pre.channels;
  const order = pre.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const out = new Float32Array(C * H * W);
  const sx = w / W;
  const sy = h / H;
  const pixel = (x: number, y: number, c: number): number => {
    const i = (y * w + x) * 4;
    const a = data[i + 3]! / 255;
    return C === 1 ? ((data[i]! + data[i + 1]! + data[i + 2]!) / 3) * a + 255 * (1 - a) : data[i + c]! * a + 255 * (1 - a);
  };
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      for (let c = 0; c < C; c++) {
        const src = C === 1 ? 0 : order[c]!;
        const top = pixel(x0, y0, src) * (1 - tx) + pixel(x1, y0, src) * tx;
        const bottom = pixel(x0, y1, src) * (1 - tx) + pixel(x1, y1, src) * tx;
        const v = top * (1 - ty) + bottom * ty;
        out[c * H * W + y * W + x] = (v * pre.scale - pre.mean[c]!) / pre.std[c]!;
      }
    }
  }
  return { data: out, dims: pre.layout === 'flat' ? [1, C * H * W] : [1, C, H, W] };
}

/** The keys file → class names by class index − 1 (class 0 is the CTC blank); a space appended when asked. */
export function parseKeys(text: string, appendSpace = true): string[] {
  if (typeof text !== 'string') throw bad(`Keys must be the text of the keys file, got ${quote(text)}.`);
  const keys = text.replace(/\r\n?/g, '\n').split('\n');
  if (keys[keys.length - 1] === '') keys.pop();
  if (appendSpace) keys.push(' ');
  return keys;
}

export interface RecognizedText {
  text: string;
  /** Mean probability of the kept characters (1 for an empty line). */
  confidence: number;
}

/**
 * Greedy CTC decoding of scores [N, T, C]: the best class per step, repeats collapsed, blanks
 * dropped; class k ≥ 1 is keys[k − 1].
 */
export function ctcDecode(scores: Tensor, keys: readonly string[], blank = 0): RecognizedText[] {
  const dims = scores.dims;
  if (dims.length !== 3) throw bad(`CTC scores must have dims [N, T, classes], got ${quote(dims)}.`);
  const [n, t, c] = dims as [number, number, number];
  if (c !== keys.length + 1) {
    throw new MlPredictError('INPUT_MISMATCH', `The model has ${c} classes but the keys give ${keys.length} characters + the blank = ${keys.length + 1}. Use the keys file from the model's card.`);
  }
  const data = scores.data as ArrayLike<number>;
  const out: RecognizedText[] = [];
  for (let r = 0; r < n; r++) {
    let text = '';
    let sum = 0;
    let count = 0;
    let previous = -1;
    for (let s = 0; s < t; s++) {
      const base = (r * t + s) * c;
      let best = 0;
      for (let k = 1; k < c; k++) if (data[base + k]! > data[base + best]!) best = k;
      if (best !== blank && best !== previous) {
        text += keys[best - 1]!;
        sum += data[base + best]!;
        count++;
      }
      previous = best;
    }
    out.push({ text, confidence: count ? sum / count : 1 });
  }
  return out;
}

/** Reads the text of one line image with a recogniser model and its keys. */
export async function recognizeText(
  model: { predict(inputs: Inputs, options?: { signal?: AbortSignal }): Promise<Outputs> },
  image: RgbaImage,
  keys: readonly string[],
  options: { card?: ModelCard; signal?: AbortSignal } = {},
): Promise<RecognizedText> {
  checkOptions(options, 'recognizeText()', { card: 'object', signal: 'signal' });
  const card = options.card;
  const pre = card?.input.kind === 'image' ? card.input.image : PPOCR_PREPROCESSING;
  const input = card?.input.tensor ?? 'x';
  const output = card?.outputs.value;
  const out = await model.predict({ [input]: imageToTensor(image, pre) }, options.signal ? { signal: options.signal } : {});
  const scores = output ? out[output] : Object.values(out)[0];
  if (!scores) throw new MlPredictError('INPUT_MISMATCH', `The model gave no output ${quote(output)}; it gave ${Object.keys(out).map((k) => quote(k)).join(', ')}.`);
  return ctcDecode(scores, keys, card?.outputs.decoding?.blank ?? 0)[0]!;
}
