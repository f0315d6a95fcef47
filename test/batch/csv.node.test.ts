/**
 * The pure CSV logic of batch jobs: incremental parsing with exact resume points (any split of
 * the bytes gives the same rows; parsing again from any resume point gives the rest), column
 * matching, rows → tensors with row errors, and result formatting.
 */
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import {
  ChunkBuilder,
  csvLine,
  detectFormat,
  formatNumber,
  inputSpec,
  matchColumns,
  MAX_ROW_CHARS,
  predictionCells,
  predictionColumns,
  RowReader,
  utf8Length,
  type InputSpec,
  type SyncPoint,
} from '../../lib/batch/csv.js';
import { notificationFor, notifyJobEnded, type NotifyEnv } from '../../lib/batch/notify.js';
import type { BatchJobRecord } from '../../lib/batch/types.js';
import { isMlPredictError, MlPredictError } from '../../lib/errors.js';
import type { ModelCard } from '../../lib/model/card.js';

const enc = new TextEncoder();

/** Parses bytes split into pieces of `step` bytes (a streaming decoder, as the worker does). */
function parseInPieces(bytes: Uint8Array, step: number, start: SyncPoint = { byte: 0, row: 0 }) {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const format = detectFormat(new TextDecoder().decode(bytes.subarray(0, 4096)));
  const reader = new RowReader(format, start, start.byte === 0);
  const rows: string[][] = [];
  const syncs: SyncPoint[] = [];
  const body = bytes.subarray(start.byte);
  for (let i = 0; i < body.length; i += step) {
    rows.push(...reader.push(decoder.decode(body.subarray(i, i + step), { stream: true }), false));
    syncs.push({ ...reader.sync });
  }
  rows.push(...reader.push(decoder.decode(), true));
  syncs.push({ ...reader.sync });
  return { rows, syncs };
}

const TRICKY = [
  'name,"note, with comma",value',
  'a,"line one\nline two",1',
  '"quote ""inside""",é café 中文 😀,2',
  '',
  'b,"",3',
  'c,x,4',
].join('\r\n');

describe('utf8Length', () => {
  it('equals the UTF-8 byte length for ASCII, accents, CJK and surrogate pairs', () => {
    for (const s of ['', 'abc', 'é', 'café 中文', '😀x😀', 'a\u0800b\u07ffc', TRICKY]) {
      expect(utf8Length(s)).toBe(enc.encode(s).length);
    }
  });
});

describe('RowReader', () => {
  const bytes = enc.encode(TRICKY);
  const whole = Papa.parse<string[]>(TRICKY, { skipEmptyLines: true }).data;

  it('gives the same rows as one parse of the whole text, whatever the piece size (quotes, CRLF and characters split)', () => {
    expect(whole).toHaveLength(5);
    for (const step of [1, 2, 3, 5, 7, 16, 1000]) {
      const { rows } = parseInPieces(bytes, step);
      expect(rows, `pieces of ${step} bytes`).toEqual(whole);
    }
  });

  it('resume points are exact: parsing again from any of them gives the remaining rows', () => {
    for (const step of [1, 3, 7]) {
      const { syncs } = parseInPieces(bytes, step);
      const distinct = new Map(syncs.map((s) => [s.byte, s]));
      expect(distinct.size).toBeGreaterThan(3);
      for (const s of distinct.values()) {
        const again = parseInPieces(bytes, 4, s).rows;
        const expected = s.byte === 0 ? whole : whole.slice(1 + s.row);
        expect(again, `from byte ${s.byte} (row ${s.row})`).toEqual(expected);
      }
    }
  });

  it('stops moving the resume point after invalid UTF-8 (a byte count it cannot trust)', () => {
    const bad = new Uint8Array([...enc.encode('a,b\n1,2\n'), 0xff, ...enc.encode(',3\n4,5\n6,7\n')]);
    const { rows, syncs } = parseInPieces(bad, 3);
    expect(rows).toEqual([['a', 'b'], ['1', '2'], ['\ufffd', '3'], ['4', '5'], ['6', '7']]);
    const last = syncs[syncs.length - 1]!;
    expect(last).toEqual({ byte: 8, row: 1 });
  });

  it('keeps a byte-order mark in the byte count', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('x,y\n1,2\n3,4\n')]);
    const { rows, syncs } = parseInPieces(withBom, 5);
    expect(rows[0]![0]).toBe('\ufeffx');
    const s = syncs.find((p) => p.byte > 0 && p.row === 0)!;
    expect(s.byte).toBe(7);
    expect(new TextDecoder().decode(withBom.subarray(s.byte))).toBe('1,2\n3,4\n');
  });

  it('refuses a row that never ends (an unterminated quote) once it passes the limit', () => {
    const reader = new RowReader({ delimiter: ',', newline: '\n' }, { byte: 0, row: 0 }, true);
    reader.push('a,b\n1,"open quote\n', false);
    const big = 'x'.repeat(1024 * 1024);
    let error: unknown;
    try {
      for (let i = 0; i <= MAX_ROW_CHARS / big.length; i++) reader.push(big, false);
    } catch (e) {
      error = e;
    }
    expect(isMlPredictError(error, 'CSV_INVALID')).toBe(true);
    expect((error as MlPredictError).message).toMatch(/Row 1 .*closing quote/);
  });
});

describe('detectFormat', () => {
  it('finds semicolons, tabs and line endings', () => {
    expect(detectFormat('a;b;c\r\n1;2;3\r\n')).toEqual({ delimiter: ';', newline: '\r\n' });
    expect(detectFormat('a\tb\n1\t2\n')).toEqual({ delimiter: '\t', newline: '\n' });
    expect(detectFormat('text\nhello there\n')).toEqual({ delimiter: ',', newline: '\n' });
  });
});

const card = {
  name: 'toy',
  version: '1.0.0',
  task: 'multiclass-classification',
  description: 'toy',
  input: {
    kind: 'features',
    tensor: 'features',
    features: [
      { name: 'sepal length', type: 'number', default: 5 },
      { name: 'width', type: 'number' },
      { name: 'colour', type: 'category', categories: ['red', 'blue'] },
    ],
  },
  outputs: { label: 'label', probabilities: 'probabilities', labels: ['a', 'b', 'c'] },
  model: { file: 'toy.onnx', sha256: '0'.repeat(64), bytes: 1 },
  license: 'MIT',
} as unknown as ModelCard;

describe('matchColumns', () => {
  const spec = inputSpec(card, { features: 'float32' }, false);

  it('matches by header name, exactly or ignoring case and spaces, in any order', () => {
    expect(matchColumns(spec, ['id', 'Colour', ' width ', '\ufeffsepal length'])).toEqual([3, 2, 1]);
  });

  it('a missing column is CSV_INVALID naming it and listing the expected ones', () => {
    let e: unknown;
    try {
      matchColumns(spec, ['sepal length', 'colour', 'height'], 'CSV file "x.csv"');
    } catch (err) {
      e = err;
    }
    expect(isMlPredictError(e, 'CSV_INVALID')).toBe(true);
    const m = (e as MlPredictError).message;
    expect(m).toContain('CSV file "x.csv" has no column "width"');
    expect(m).toContain('Expected columns: "sepal length", "width", "colour"');
    expect(m).toContain('Found: "sepal length", "colour", "height"');
    expect((e as MlPredictError).details).toMatchObject({ missing: ['width'] });
  });

  it('two columns with a feature name are refused', () => {
    expect(() => matchColumns(spec, ['width', 'sepal length', 'WIDTH', 'colour'])).not.toThrow();
    expect(() => matchColumns(spec, ['width', 'sepal length', 'width', 'colour'])).toThrow(/2 columns named "width"/);
  });

  it('with useDefaults, a missing column with a default reads as the default (-1); one without still fails', () => {
    const lenient = inputSpec(card, { features: 'float32' }, true);
    expect(matchColumns(lenient, ['width', 'colour'])).toEqual([-1, 0, 1]);
    expect(() => matchColumns(lenient, ['sepal length', 'colour'])).toThrow(/no column "width"/);
  });

  it('inputSpec refuses image cards and unknown tensors', () => {
    expect(() => inputSpec({ ...card, input: { kind: 'image', tensor: 'x' } } as unknown as ModelCard, { x: 'float32' }, false)).toThrow(
      /input kind is one of: "features", "columns", "text"/
    );
    expect(() => inputSpec(card, { other: 'float32' }, false)).toThrow(/"features" is not among the model's inputs "other"/);
  });
});

describe('ChunkBuilder', () => {
  const header = ['sepal length', 'width', 'colour', 'id'];
  const spec = inputSpec(card, { features: 'float32' }, false);
  const builder = new ChunkBuilder(spec, header, matchColumns(spec, header));

  it('converts good rows and records bad ones with their row number and reason', () => {
    const built = builder.build(
      [
        ['5.1', '3.5', 'red', 'a'],
        ['4.9', 'abc', 'blue', 'b'],
        ['4.7', '3.2', 'blue'],
        ['', '3', 'red', 'c'],
        [' 6e0 ', '2.5', 'green', 'd'],
        ['6', '2', 'blue', 'e'],
      ],
      11,
    );
    expect(built.valid).toBe(2);
    const t = built.feeds!.features!;
    expect(t.dims).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([Math.fround(5.1), 3.5, 0, 6, 2, 1]);
    expect(built.errors).toEqual([
      { row: 12, kind: 'number', reason: 'column "width" is "abc", expected a number' },
      { row: 13, kind: 'columns', reason: 'has 3 fields, expected 4 (one per header column)' },
      { row: 14, kind: 'empty', reason: 'column "sepal length" is empty' },
      { row: 15, kind: 'category', reason: 'column "colour" is "green", expected one of: "red", "blue"' },
    ]);
  });

  it('with useDefaults, empty cells take the default', () => {
    const lenient = inputSpec(card, { features: 'float64' }, true);
    const b = new ChunkBuilder(lenient, header, matchColumns(lenient, header));
    const built = b.build([['', '1', 'red', 'x']], 1);
    expect(built.errors).toEqual([]);
    expect(Array.from(built.feeds!.features!.data as Float64Array)).toEqual([5, 1, 0]);
  });

  it('a chunk with no readable row has no feeds', () => {
    expect(builder.build([['x']], 1)).toEqual({ feeds: null, valid: 0, errors: [expect.objectContaining({ row: 1, kind: 'columns' })] });
  });

  it('text cards read the "text" column into a padded string tensor', () => {
    const textCard = {
      ...card,
      input: { kind: 'text', tensor: 'tokens', preprocessing: { lowercase: true, tokenPattern: '[a-z]+', shape: 'row', pad: '' } },
    } as unknown as ModelCard;
    const ts = inputSpec(textCard, { tokens: 'string' }, false) as Extract<InputSpec, { kind: 'text' }>;
    const h = ['id', 'Text'];
    const b = new ChunkBuilder(ts, h, matchColumns(ts, h));
    const built = b.build([['1', 'Great film'], ['2', '  '], ['3', '!!!'], ['4', 'bad']], 1);
    expect(built.feeds!.tokens).toEqual({ data: ['great', 'film', 'bad', ''], dims: [2, 2] });
    expect(built.errors.map((e) => [e.row, e.kind])).toEqual([
      [2, 'empty'],
      [3, 'text'],
    ]);
  });
});

describe('result formatting', () => {
  it('prediction columns: label, a probability per class, error; names kept unique', () => {
    expect(predictionColumns(card, ['x', 'prediction'])).toEqual(['prediction_2', 'probability_a', 'probability_b', 'probability_c', 'error']);
    expect(predictionColumns({ ...card, task: 'regression' } as ModelCard, ['x'])).toEqual(['prediction', 'error']);
  });

  it('prediction cells come from interpret(): labels by index, float32-exact probabilities', () => {
    const outputs = {
      label: { data: new BigInt64Array([2n, 0n]), dims: [2], type: 'int64' as const },
      probabilities: { data: new Float32Array([0.1, 0.2, 0.7, 0.9, 0.05, 0.05]), dims: [2, 3], type: 'float32' as const },
    };
    expect(predictionCells(card, outputs, 0)).toEqual(['c', '0.100000001', '0.200000003', '0.699999988']);
    expect(predictionCells(card, outputs, 1)[0]).toBe('a');
    expect(Math.fround(Number(formatNumber(Math.fround(0.123456789))))).toBe(Math.fround(0.123456789));
  });

  it('csvLine quotes fields that need it', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines'])).toBe('a,"b,c","say ""hi""","two\nlines"');
  });
});

describe('notifications', () => {
  const record = { id: 'j1', status: 'done', notify: true, predicted: 1234, errorCount: 2, file: { name: 'x.csv' }, model: { name: 'iris' } } as BatchJobRecord;
  const env = (over: Partial<NotifyEnv>, shown: string[]): NotifyEnv => ({
    permission: 'granted',
    hidden: true,
    registration: async () => undefined,
    show: (title) => void shown.push(`page:${title}`),
    ...over,
  });

  it('only when granted and hidden; through the service worker when there is one', async () => {
    const shown: string[] = [];
    expect(await notifyJobEnded(record, env({ permission: 'default' }, shown))).toBe('not-granted');
    expect(await notifyJobEnded(record, env({ hidden: false }, shown))).toBe('visible');
    expect(await notifyJobEnded({ ...record, notify: false }, env({}, shown))).toBe('off');
    expect(await notifyJobEnded(record, env({}, shown))).toBe('notification');
    const sw = { showNotification: async (title: string) => void shown.push(`sw:${title}`) };
    expect(await notifyJobEnded(record, env({ registration: async () => sw }, shown))).toBe('service-worker');
    expect(shown).toEqual(['page:Batch predictions ready', 'sw:Batch predictions ready']);
    expect(notificationFor(record).options.body).toBe('1,234 rows of x.csv predicted with iris, 2 row errors.');
  });
});
