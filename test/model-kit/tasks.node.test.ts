/**
 * Pre- and post-processing of the task helpers: tokenising, WAV decoding and resampling, speech
 * segments, image → tensor, CTC decoding; and Silero VAD (in onnxruntime-web's Node build) finding
 * the speech in a WAV made with espeak-ng.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { MlPredictError } from '../../lib/errors.js';
import type { ModelCard } from '../../lib/model/card.js';
import { ctcDecode, imageToTensor, parseKeys, PPOCR_PREPROCESSING } from '../../lib/tasks/ocr.js';
import { textToTensor, tokenize } from '../../lib/tasks/text.js';
import { decodeWav, detectSpeech, resample, speechSegments } from '../../lib/tasks/audio.js';
import type { Inputs, Outputs, TensorType } from '../../lib/types.js';

const root = join(import.meta.dirname, '..', '..');

describe('text', () => {
  it('tokenises like the sentiment models were trained: lower case, words with inner apostrophes', () => {
    expect(tokenize("Didn't LOVE it… 10/10, but it's 'fine'!")).toEqual(["didn't", 'love', 'it', '10', '10', 'but', "it's", 'fine']);
    expect(tokenize('Ça était très bien')).toEqual(['ça', 'était', 'très', 'bien']);
  });

  it('pads rows to the longest with "" and keeps a column for a text without tokens', () => {
    expect(textToTensor(['Good movie', 'bad', '...'])).toEqual({ data: ['good', 'movie', 'bad', '', '', ''], dims: [3, 2] });
    expect(textToTensor(['!'])).toEqual({ data: [''], dims: [1, 1] });
    expect(() => textToTensor([])).toThrow(MlPredictError);
  });
});

function wav(samples: number[][], rate: number, bits: 16 | 32, float = false): Uint8Array {
  const channels = samples.length;
  const frames = samples[0]!.length;
  const step = bits / 8;
  const buf = new ArrayBuffer(44 + frames * channels * step);
  const v = new DataView(buf);
  const str = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, buf.byteLength - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, float ? 3 : 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels * step, true);
  v.setUint16(32, channels * step, true);
  v.setUint16(34, bits, true);
  str(36, 'data');
  v.setUint32(40, frames * channels * step, true);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const at = 44 + (i * channels + c) * step;
      if (float) v.setFloat32(at, samples[c]![i]!, true);
      else v.setInt16(at, Math.round(samples[c]![i]! * 32767), true);
    }
  }
  return new Uint8Array(buf);
}

describe('audio', () => {
  it('decodes 16-bit PCM and 32-bit float WAV, averaging channels', () => {
    const pcm = decodeWav(wav([[0, 0.5, -0.5, 1]], 8000, 16));
    expect(pcm.sampleRate).toBe(8000);
    expect(pcm.channels).toBe(1);
    expect(Array.from(pcm.samples, (s) => Math.round(s * 1000) / 1000)).toEqual([0, 0.5, -0.5, 1]);
    const stereo = decodeWav(wav([[0.5, 1], [-0.5, 0]], 44100, 32, true));
    expect(Array.from(stereo.samples)).toEqual([0, 0.5]);
  });

  it('refuses what is not a WAV file', () => {
    const e = (() => {
      try {
        decodeWav(new TextEncoder().encode('ID3 not a wave file'));
      } catch (err) {
        return err as MlPredictError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toBe('Not a WAV file: it starts with "ID3 "; expected "RIFF" … "WAVE".');
  });

  it('resamples by interpolation, keeping a tone\'s frequency', () => {
    const from = 22050;
    const tone = Float32Array.from({ length: from }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / from));
    const out = resample(tone, from, 16000);
    expect(out.length).toBe(16000);
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1]! < 0 && out[i]! >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(439);
    expect(crossings).toBeLessThanOrEqual(441);
    expect(resample(tone, 16000, 16000)).toBe(tone);
  });

  it('turns frame probabilities into segments with hysteresis and a minimum length', () => {
    const p = [0.1, 0.6, 0.9, 0.4, 0.8, 0.2, 0.1, 0.7, 0.1, 0.9, 0.9, 0.9];
    expect(speechSegments(p, 0.5, 0.5, 0.35, 2)).toEqual([
      { start: 0.5, end: 2.5 },
      { start: 4.5, end: 6 },
    ]);
  });

  it('Silero VAD finds the speech in a WAV spoken by espeak-ng, and none in the silence around it', async () => {
    const card = JSON.parse(readFileSync(join(root, 'public/models/silero-vad-5.0.0.card.json'), 'utf8')) as ModelCard;
    const session = await ort.InferenceSession.create(readFileSync(join(root, 'public/models/silero-vad-5.0.0.onnx')), { executionProviders: ['wasm'] });
    const model = {
      async predict(inputs: Inputs): Promise<Outputs> {
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, t] of Object.entries(inputs) as [string, { data: Float32Array | BigInt64Array; dims: number[] }][]) {
          feeds[name] = new ort.Tensor(t.data instanceof BigInt64Array ? 'int64' : 'float32', t.data, t.dims);
        }
        const out = await session.run(feeds);
        return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims, type: t.type as TensorType }]));
      },
    };
    const audio = decodeWav(readFileSync(join(root, 'test/fixtures/audio/speech.wav')));
    expect(audio.sampleRate).toBe(22050);
    await expect(detectSpeech(model, audio.samples, { rate: audio.sampleRate } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Unknown option "rate" for detectSpeech(). Expected one of: "sampleRate", "card", "threshold", "negativeThreshold", "minSpeechFrames", "signal".',
    });
    const result = await detectSpeech(model, audio.samples, { sampleRate: audio.sampleRate, card });
    await session.release();
    const seconds = audio.samples.length / audio.sampleRate;
    expect(result.frameSeconds).toBe(0.032);
    expect(result.probabilities.length).toBe(Math.floor((seconds * 16000) / 512));
    // one second of silence on each side of about 2.9 s of speech
    const frame = (t: number) => Math.floor(t / result.frameSeconds);
    expect(Math.max(...result.probabilities.subarray(0, frame(0.8)))).toBeLessThan(0.2);
    expect(Math.max(...result.probabilities.subarray(frame(seconds - 0.8)))).toBeLessThan(0.2);
    expect(result.segments.length).toBeGreaterThanOrEqual(1);
    expect(result.segments[0]!.start).toBeGreaterThan(0.9);
    expect(result.segments[0]!.start).toBeLessThan(1.2);
    expect(result.segments[result.segments.length - 1]!.end).toBeGreaterThan(3.4);
    expect(result.segments[result.segments.length - 1]!.end).toBeLessThan(4.1);
    const speech = result.segments.reduce((s, g) => s + g.end - g.start, 0);
    expect(speech).toBeGreaterThan(2);
  }, 60_000);
});

describe('ocr', () => {
  it('parses the keys file and appends the space class', () => {
    expect(parseKeys('a\nb\r\nc\n')).toEqual(['a', 'b', 'c', ' ']);
    expect(parseKeys('a\nb', false)).toEqual(['a', 'b']);
    const keys = parseKeys(readFileSync(join(root, 'public/models/paddleocr-rec-4.0.0.keys.txt'), 'utf8'));
    expect(keys.length + 1).toBe(6625); // + the blank: the recogniser's class count
  });

  it('decodes CTC: best class per step, repeats collapsed, blanks dropped', () => {
    const keys = ['a', 'b', ' '];
    // steps: a a blank a b b space  → "aab "
    const best = [1, 1, 0, 1, 2, 2, 3];
    const data = new Float32Array(best.length * 4);
    best.forEach((k, s) => {
      for (let c = 0; c < 4; c++) data[s * 4 + c] = c === k ? 0.9 : 0.1 / 3;
    });
    expect(ctcDecode({ data, dims: [1, best.length, 4] }, keys)).toEqual([{ text: 'aab ', confidence: expect.closeTo(0.9, 5) as number }]);
    expect(() => ctcDecode({ data, dims: [1, best.length, 4] }, ['a'])).toThrow('The model has 4 classes but the keys give 1 characters + the blank = 2.');
  });

  it('resizes an image to height 48 keeping its aspect ratio, normalised, BGR, on white', () => {
    const width = 96;
    const height = 24;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([255, 0, 0, 255], i * 4); // opaque red
    data.set([0, 0, 0, 0], 0); // one transparent pixel: white
    const t = imageToTensor({ data, width, height }, PPOCR_PREPROCESSING);
    expect(t.dims).toEqual([1, 3, 48, 192]);
    const v = t.data as Float32Array;
    const plane = 48 * 192;
    const at = (c: number, y: number, x: number) => v[c * plane + y * 192 + x]!;
    expect([at(0, 40, 100), at(1, 40, 100), at(2, 40, 100)]).toEqual([-1, -1, 1]); // B, G, R of red
    expect(at(0, 0, 0)).toBe(1); // the transparent corner reads as white
  });
});
