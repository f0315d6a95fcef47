/**
 * Voice activity detection with Silero VAD (v5): WAV decoding, resampling to the model's rate,
 * framing with context, the recurrent state between calls, and speech segments from the frame
 * probabilities. Pure helpers plus `detectSpeech`, which drives any model handle's predict().
 */
import { MlPredictError, quote, throwIfAborted } from '../errors.js';
import { checkOptions, type OptionRules } from '../options.js';
import type { AudioPreprocessing, ModelCard } from '../model/card.js';
import type { Inputs, Outputs } from '../types.js';

/** Silero VAD v5's framing (as in its card): what detectSpeech() uses for a model without an audio card. */
export const SILERO_VAD_PREPROCESSING: AudioPreprocessing = {
  sampleRate: 16000,
  frameSamples: 512,
  contextSamples: 64,
  state: { tensor: 'state', dims: [2, 1, 128], output: 'stateN' },
  sampleRateTensor: 'sr',
};

export interface DecodedAudio {
  sampleRate: number;
  channels: number;
  /** Mono samples in [-1, 1] (channels averaged). */
  samples: Float32Array;
}

function bad(message: string): MlPredictError {
  return new MlPredictError('INVALID_ARGUMENT', message);
}

/** Decodes a RIFF/WAVE file: PCM 8/16/24/32-bit or IEEE float 32/64-bit, any number of channels. */
export function decodeWav(input: ArrayBuffer | Uint8Array): DecodedAudio {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw bad(`Not a WAV file: it starts with ${quote(tag(0))}; expected "RIFF" … "WAVE".`);
  }
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
    } else if (id === 'data') {
      data = bytes.subarray(body, Math.min(body + size, bytes.length));
    }
    at = body + size + (size % 2);
  }
  if (!data || channels === 0) throw bad('WAV file has no "fmt " or "data" chunk.');
  const pcm = format === 1;
  const float = format === 3;
  if (!(pcm && [8, 16, 24, 32].includes(bits)) && !(float && (bits === 32 || bits === 64))) {
    throw bad(`WAV format ${format} with ${bits}-bit samples is not supported. Expected PCM (1) 8/16/24/32-bit or float (3) 32/64-bit.`);
  }
  const step = bits / 8;
  const frames = Math.floor(data.length / (step * channels));
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (o: number): number => {
    if (float) return bits === 32 ? d.getFloat32(o, true) : d.getFloat64(o, true);
    switch (bits) {
      case 8:
        return (d.getUint8(o) - 128) / 128;
      case 16:
        return d.getInt16(o, true) / 32768;
      case 24:
        return (((d.getUint8(o + 2) << 24) | (d.getUint8(o + 1) << 16) | (d.getUint8(o) << 8)) >> 8) / 8388608;
      default:
        return d.getInt32(o, true) / 2147483648;
    }
  };
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += read((i * channels + c) * step);
    samples[i] = s / channels;
  }
  return { sampleRate, channels, samples };
}

/** Resamples mono audio by linear interpolation (averaging neighbours first when downsampling). */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (!(from > 0) || !(to > 0)) throw bad(`Sample rates must be positive, got ${quote(from)} → ${quote(to)}.`);
  if (from === to) return samples;
  let source = samples;
  const ratio = from / to;
  if (ratio > 1) {
    // A box filter as wide as the step: enough against aliasing for speech detection.
    const width = Math.max(1, Math.round(ratio));
    source = new Float32Array(samples.length);
    let acc = 0;
    for (let i = 0; i < samples.length; i++) {
      acc += samples[i]!;
      if (i >= width) acc -= samples[i - width]!;
      source[i] = acc / Math.min(i + 1, width);
    }
  }
  const n = Math.floor(samples.length / ratio);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = i * ratio;
    const j = Math.floor(x);
    const f = x - j;
    const a = source[j] ?? 0;
    const b = source[Math.min(j + 1, source.length - 1)] ?? a;
    out[i] = a + (b - a) * f;
  }
  return out;
}

export interface SpeechSegment {
  /** Seconds from the start. */
  start: number;
  end: number;
}

export interface SpeechResult {
  /** Speech probability of each frame. */
  probabilities: Float32Array;
  /** Duration of one frame in seconds. */
  frameSeconds: number;
  segments: SpeechSegment[];
}

export interface SpeechOptions {
  /** Sample rate of `samples`; resampled to the model's rate when different. Default the model's. */
  sampleRate?: number;
  /** The model's card (its audio preprocessing and threshold); default Silero VAD v5's. */
  card?: ModelCard;
  /** Probability at which speech starts; default the card's threshold or 0.5. */
  threshold?: number;
  /** Probability below which speech ends; default threshold − 0.15. */
  negativeThreshold?: number;
  /** Shortest segment kept, in frames; default 3 (about 100 ms). */
  minSpeechFrames?: number;
  signal?: AbortSignal;
}

/** The options of detectSpeech(), in their documented order. */
const SPEECH_RULES: OptionRules = {
  sampleRate: { integer: [1, 1_000_000] },
  card: 'object',
  threshold: { number: [0, 1] },
  negativeThreshold: { number: [0, 1] },
  minSpeechFrames: { integer: [0, 1_000_000] },
  signal: 'signal',
};

/** Frames → segments with hysteresis (start ≥ threshold, end < negativeThreshold). */
export function speechSegments(probabilities: ArrayLike<number>, frameSeconds: number, threshold = 0.5, negativeThreshold = threshold - 0.15, minSpeechFrames = 3): SpeechSegment[] {
  const out: SpeechSegment[] = [];
  let start = -1;
  const close = (end: number) => {
    if (end - start >= minSpeechFrames) out.push({ start: start * frameSeconds, end: end * frameSeconds });
    start = -1;
  };
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (start < 0 && p >= threshold) start = i;
    else if (start >= 0 && p < negativeThreshold) close(i);
  }
  if (start >= 0) close(probabilities.length);
  return out;
}

/**
 * Runs a voice-activity model over mono audio, frame by frame, carrying its state, and returns
 * the probability of speech in each frame and the speech segments.
 */
export async function detectSpeech(
  model: { predict(inputs: Inputs, options?: { signal?: AbortSignal }): Promise<Outputs> },
  samples: Float32Array,
  options: SpeechOptions = {},
): Promise<SpeechResult> {
  checkOptions(options, 'detectSpeech()', SPEECH_RULES);
  const card = options.card;
  const audio = card?.input.kind === 'audio' ? card.input.audio : SILERO_VAD_PREPROCESSING;
  const tensor = card?.input.tensor ?? 'input';
  const outputName = card?.outputs.value ?? 'output';
  if (!(samples instanceof Float32Array)) throw bad(`Audio samples must be a Float32Array, got ${quote(samples)}.`);
  const pcm = resample(samples, options.sampleRate ?? audio.sampleRate, audio.sampleRate);
  const { frameSamples, contextSamples } = audio;
  const frames = Math.floor(pcm.length / frameSamples);
  const probabilities = new Float32Array(frames);
  const stateSize = audio.state ? audio.state.dims.reduce((a, b) => a * b, 1) : 0;
  let state = new Float32Array(stateSize);
  for (let f = 0; f < frames; f++) {
    throwIfAborted(options.signal);
    const chunk = new Float32Array(contextSamples + frameSamples);
    const start = f * frameSamples;
    chunk.set(pcm.subarray(Math.max(0, start - contextSamples), start), contextSamples - Math.min(contextSamples, start));
    chunk.set(pcm.subarray(start, start + frameSamples), contextSamples);
    const inputs: Inputs = { [tensor]: { data: chunk, dims: [1, chunk.length] } };
    if (audio.state) inputs[audio.state.tensor] = { data: state, dims: audio.state.dims };
    if (audio.sampleRateTensor) inputs[audio.sampleRateTensor] = { data: BigInt64Array.of(BigInt(audio.sampleRate)), dims: [] };
    const out = await model.predict(inputs, options.signal ? { signal: options.signal } : {});
    const p = out[outputName];
    if (!p) throw new MlPredictError('INPUT_MISMATCH', `The model gave no output ${quote(outputName)}; it gave ${Object.keys(out).map((k) => quote(k)).join(', ')}.`);
    probabilities[f] = Number(p.data[0]);
    if (audio.state) {
      const next = out[audio.state.output];
      if (!next) throw new MlPredictError('INPUT_MISMATCH', `The model gave no state output ${quote(audio.state.output)}.`);
      state = Float32Array.from(next.data as Float32Array);
    }
  }
  const frameSeconds = frameSamples / audio.sampleRate;
  const threshold = options.threshold ?? card?.outputs.threshold ?? 0.5;
  return {
    probabilities,
    frameSeconds,
    segments: speechSegments(probabilities, frameSeconds, threshold, options.negativeThreshold ?? threshold - 0.15, options.minSpeechFrames ?? 3),
  };
}
