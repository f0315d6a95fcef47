/**
 * A training CSV read in one streaming pass with the parser of the browser's CSV jobs
 * (lib/batch/csv.ts): its header (or the names given with --columns), and per column what the
 * card needs (every value as a number where it is one, the distinct texts, empty cells).
 * Rows are counted from 1 after the header. A second pass (`eachChunk`) gives the rows again, in
 * chunks, for predicting. Bad files are one-line errors naming the file, row and column.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { detectFormat, RowReader, type CsvFormat } from '../batch/csv.js';
import { cliError, EXIT, fileError } from './errors.js';
import { Progress, type Io } from './progress.js';

/** Columns with more distinct texts than this cannot be categories. */
export const MAX_CATEGORIES = 1000;

export interface Column {
  name: string;
  /** Each row's value as a number; NaN where the cell is empty or not a number. */
  numbers: Float64Array;
  /** Each row's index into `distinct` (the trimmed text); -1 where empty; undefined once past MAX_CATEGORIES. */
  codes: Int32Array | undefined;
  distinct: string[];
  empty: number;
  firstEmpty?: number;
  /** Cells that are not empty and not a finite number. */
  texts: number;
  firstText?: { row: number; value: string };
}

export interface Table {
  file: string;
  bytes: number;
  header: string[];
  rows: number;
  columns: Column[];
  format: CsvFormat;
  /** The file's first row is a header (column names, or scikit-learn's dataset header), not data. */
  headerRow: boolean;
  /** Class names from scikit-learn's dataset header ("569,30,malignant,benign"), for its last column. */
  sklearnLabels?: string[];
}

export interface ReadOptions {
  /** Names for the columns in order (replacing the header row's, or naming scikit-learn's). */
  columns?: string[];
  /** The file has no header row: the first row is data (needs `columns`). */
  noHeader?: boolean;
}

const label = (file: string) => JSON.stringify(file);

export function csvError(file: string, message: string, details: Record<string, unknown> = {}) {
  return cliError(EXIT.data, 'CSV_INVALID', `${label(file)} ${message}`, { file, ...details });
}

/** Streams the file's text, decoded as UTF-8 across chunk boundaries, with the byte count read. */
async function* textOf(file: string): AsyncGenerator<{ text: string; bytes: number }> {
  const decoder = new TextDecoder('utf-8');
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) yield { text: decoder.decode(chunk as Buffer, { stream: true }), bytes: (chunk as Buffer).length };
  } catch (e) {
    throw fileError(e, file, 'read');
  }
  yield { text: decoder.decode(), bytes: 0 };
}

/** scikit-learn's dataset CSVs start with "n_samples,n_features,class names…" and empty cells. */
function sklearnHeader(cells: readonly string[]): { features: number; labels: string[] } | undefined {
  const [n, d] = cells;
  if (!n || !d || !/^\d+$/.test(n) || !/^\d+$/.test(d) || Number(d) + 1 !== cells.length) return undefined;
  const labels = cells.slice(2).filter((c) => c.trim() !== '');
  if (cells.slice(2 + labels.length).some((c) => c.trim() !== '')) return undefined;
  return { features: Number(d), labels };
}

function fileSize(file: string): number {
  try {
    const s = statSync(file);
    if (s.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    return s.size;
  } catch (e) {
    throw fileError(e, file, 'read');
  }
}

/** The column names from the header row and the options; CSV_INVALID or a usage error when they do not work. */
function namesOf(file: string, first: string[], options: ReadOptions): { header: string[]; headerRow: boolean; sklearnLabels?: string[] } {
  const cells = first.map((c, i) => (i === 0 ? c.replace(/^\ufeff/, '') : c).trim());
  const sk = options.noHeader ? undefined : sklearnHeader(cells);
  const given = options.columns;
  if (sk) {
    if (!given) {
      throw csvError(
        file,
        `starts with scikit-learn's dataset header (${cells[0]} rows, ${sk.features} features, labels ${sk.labels.map((l) => JSON.stringify(l)).join(', ')}), which names no columns: give the ${sk.features} feature names with --columns name1,name2,… or --columns @names.txt (one per line); the last column is the label "target".`,
      );
    }
    if (given.length !== sk.features && given.length !== sk.features + 1) {
      throw csvError(file, `has ${sk.features} feature columns and a label column (scikit-learn's header), but --columns names ${given.length}; expected ${sk.features} names (or ${sk.features + 1} with the label's).`);
    }
    return { header: given.length === sk.features ? [...given, 'target'] : [...given], headerRow: true, sklearnLabels: sk.labels };
  }
  if (given) {
    if (given.length !== cells.length) {
      throw csvError(file, `has ${cells.length} columns in its first row, but --columns names ${given.length}: ${given.map((g) => JSON.stringify(g)).join(', ')}.`);
    }
    return { header: [...given], headerRow: !options.noHeader };
  }
  if (options.noHeader) throw cliError(EXIT.usage, 'INVALID_ARGUMENT', `--no-header needs --columns to name the columns of ${label(file)}.`);
  const blank = cells.flatMap((c, i) => (c === '' ? [i + 1] : []));
  if (blank.length > 0) throw csvError(file, `has a header row with empty column names (column${blank.length > 1 ? 's' : ''} ${blank.join(', ')}): every column needs a name, or give them with --columns.`);
  return { header: cells, headerRow: true };
}

function checkNames(file: string, header: readonly string[]): void {
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) throw csvError(file, `has two columns named ${JSON.stringify(twice)} (columns ${header.flatMap((h, i) => (h === twice ? [i + 1] : [])).join(' and ')}); each column needs its own name.`);
}

function grow<T extends Float64Array | Int32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

function newColumn(name: string): Column {
  return { name, numbers: new Float64Array(1024), codes: new Int32Array(1024), distinct: [], empty: 0, texts: 0 };
}

/**
 * Reads the CSV once. Errors: a file that cannot be read (exit 3), an empty file, a header
 * without data rows, a row whose field count differs from the header's (exit 5).
 */
export async function readTable(file: string, io: Io, options: ReadOptions = {}): Promise<Table> {
  const bytes = fileSize(file);
  if (bytes === 0) throw csvError(file, 'is empty: expected a header row naming the columns, then one row per training example.');
  const progress = new Progress(io, `reading ${basename(file)}`, bytes, 'bytes', bytes);
  let reader: RowReader | undefined;
  let names: { header: string[]; headerRow: boolean; sklearnLabels?: string[] } | undefined;
  let columns: Column[] = [];
  const index: Map<string, number>[] = [];
  let rows = 0;
  let read = 0;
  let format: CsvFormat = { delimiter: ',', newline: '\n' };
  const take = (fields: string[]) => {
    if (!names) {
      if (options.noHeader && options.columns) names = { header: [...options.columns], headerRow: false };
      else names = namesOf(file, fields, options);
      checkNames(file, names.header);
      columns = names.header.map(newColumn);
      for (let i = 0; i < columns.length; i++) index.push(new Map());
      if (!options.noHeader) return;
    }
    const row = ++rows;
    if (fields.length !== columns.length) {
      throw csvError(file, `row ${row} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${columns.length} (one per column: ${names.header.map((h) => JSON.stringify(h)).join(', ')}).`, { row });
    }
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j]!;
      const s = fields[j]!;
      const t = s.trim();
      c.numbers = grow(c.numbers, row);
      if (t === '') {
        c.numbers[row - 1] = NaN;
        c.empty++;
        c.firstEmpty ??= row;
      } else {
        const v = Number(t);
        c.numbers[row - 1] = Number.isFinite(v) ? v : NaN;
        if (!Number.isFinite(v)) {
          c.texts++;
          c.firstText ??= { row, value: s };
        }
      }
      if (!c.codes) continue;
      c.codes = grow(c.codes, row);
      if (t === '') {
        c.codes[row - 1] = -1;
        continue;
      }
      let code = index[j]!.get(t);
      if (code === undefined) {
        if (c.distinct.length >= MAX_CATEGORIES) {
          c.codes = undefined;
          continue;
        }
        code = c.distinct.length;
        c.distinct.push(t);
        index[j]!.set(t, code);
      }
      c.codes[row - 1] = code;
    }
  };
  for await (const piece of textOf(file)) {
    read += piece.bytes;
    if (!reader) {
      if (piece.text === '' && piece.bytes > 0) continue;
      format = detectFormat(piece.text.slice(0, 64 * 1024));
      reader = new RowReader(format, { byte: 0, row: 0 }, true);
    }
    for (const fields of reader.push(piece.text, piece.bytes === 0)) take(fields);
    progress.update(read, rows);
  }
  progress.end(read, rows);
  if (!names) throw csvError(file, 'holds no rows: expected a header row naming the columns, then one row per training example.');
  if (rows === 0) throw csvError(file, `has a header (${names.header.map((h) => JSON.stringify(h)).join(', ')}) but no data rows.`);
  for (const c of columns) {
    c.numbers = c.numbers.slice(0, rows);
    if (c.codes) c.codes = c.codes.slice(0, rows);
  }
  return { file, bytes, header: names.header, rows, columns, format, headerRow: names.headerRow, ...(names.sklearnLabels && { sklearnLabels: names.sklearnLabels }) };
}

/**
 * The data rows again, `size` at a time (the header row skipped when the file has one), with
 * the 1-based number of each chunk's first row.
 */
export async function* eachChunk(table: Table, size: number, io: Io, step: string): AsyncGenerator<{ rows: string[][]; first: number }> {
  const reader = new RowReader(table.format, { byte: 0, row: 0 }, true);
  const progress = new Progress(io, `${step} ${basename(table.file)}`, table.rows, 'rows', table.bytes);
  let skip = table.headerRow ? 1 : 0;
  let pending: string[][] = [];
  let first = 1;
  for await (const piece of textOf(table.file)) {
    for (const fields of reader.push(piece.text, piece.bytes === 0)) {
      if (skip > 0) {
        skip--;
        continue;
      }
      pending.push(fields);
      if (pending.length === size) {
        yield { rows: pending, first };
        first += pending.length;
        pending = [];
        progress.update(first - 1);
      }
    }
  }
  if (pending.length > 0) yield { rows: pending, first };
  progress.end(table.rows);
}
