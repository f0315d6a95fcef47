/**
 * The third-party models through loadModel (via the registry, with card and integrity) in real
 * Chromium: Silero VAD finds the speech in a WAV spoken by espeak-ng; PaddleOCR reads back a text
 * line drawn on an OffscreenCanvas.
 */
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../lib/registry.js';
import { decodeWav, detectSpeech } from '../../lib/tasks/audio.js';
import { parseKeys, recognizeText } from '../../lib/tasks/ocr.js';

describe('third-party models', () => {
  it('Silero VAD: speech in the middle of the WAV, silence around it', async () => {
    const registry = await openRegistry('/models/registry.json');
    const model = await registry.load('silero-vad', { backend: 'wasm', cache: 'none' });
    expect(model.info.inputs).toEqual([
      { name: 'input', type: 'float32', dims: [null, null] },
      { name: 'state', type: 'float32', dims: [2, null, 128] },
      { name: 'sr', type: 'int64', dims: [] },
    ]);
    const audio = decodeWav(await (await fetch('/test/fixtures/audio/speech.wav')).arrayBuffer());
    const result = await detectSpeech(model, audio.samples, { sampleRate: audio.sampleRate, card: model.info.card! });
    await model.dispose();
    const seconds = audio.samples.length / audio.sampleRate;
    const frame = (t: number) => Math.floor(t / result.frameSeconds);
    expect(Math.max(...result.probabilities.subarray(0, frame(0.8)))).toBeLessThan(0.2);
    expect(Math.max(...result.probabilities.subarray(frame(seconds - 0.8)))).toBeLessThan(0.2);
    expect(result.segments[0]!.start).toBeGreaterThan(0.9);
    expect(result.segments[0]!.start).toBeLessThan(1.2);
    expect(result.segments[result.segments.length - 1]!.end).toBeGreaterThan(3.4);
    expect(result.segments.reduce((s, g) => s + g.end - g.start, 0)).toBeGreaterThan(2);
  });

  it('PaddleOCR reads back a rendered text line', async () => {
    const registry = await openRegistry('/models/registry.json');
    const model = await registry.load('paddleocr-rec', { backend: 'wasm', cache: 'none' });
    const card = model.info.card!;
    expect(card.outputs.decoding?.kind).toBe('ctc');
    const keysUrl = new URL(card.assets!.keys!.file, registry.resolve('paddleocr-rec').cardUrl);
    const keys = parseKeys(await (await fetch(keysUrl)).text(), card.outputs.decoding!.appendSpace);
    expect(keys.length + 1).toBe(6625);

    const text = 'Hello World 2024';
    const canvas = new OffscreenCanvas(420, 64);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#000';
    ctx.font = '40px "DejaVu Sans", "Liberation Sans", sans-serif';
    ctx.textBaseline = 'middle';
    const width = Math.ceil(ctx.measureText(text).width) + 24;
    ctx.fillText(text, 12, 32);
    const image = ctx.getImageData(0, 0, Math.min(width, canvas.width), canvas.height);

    const read = await recognizeText(model, image, keys, { card });
    await model.dispose();
    expect(read.text).toBe(text);
    expect(read.confidence).toBeGreaterThan(0.8);
  });
});
