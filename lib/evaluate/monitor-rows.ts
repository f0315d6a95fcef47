/**
 * The rows a drift monitor observes, read from one run's input tensors: a "features" card's one
 * [N, features] tensor, or a "columns" card's one [N, 1] (or [N]) tensor per feature, numbers
 * and category names. Pure; used by the runtime worker's monitor (lib/worker/runtime.ts).
 */
import type { Tensor } from '../types.js';
import type { ObservedValue } from './drift-accumulator.js';

/** Where one feature of a "columns" card is: its tensor, and for a categorical feature its categories. */
export interface MonitorColumn {
  tensor: string;
  /** A categorical feature: its tensor holds the names (strings) or indices into these. */
  categories?: string[];
}

/** Where the monitored features are: one tensor (`input`), or one per feature (`columns`, in feature order). */
export interface MonitorLayout {
  input?: string;
  columns?: readonly MonitorColumn[];
}

/** The features of a layout whose values are category names (for DriftAccumulator's `categories`). */
export function monitorCategories(features: readonly string[], layout: MonitorLayout): string[] {
  return (layout.columns ?? []).flatMap((c, i) => (c.categories && features[i] !== undefined ? [features[i]] : []));
}

/** Rows of a tensor's values; undefined when it is not [N] or [N, 1]. */
function column(t: Tensor | undefined): ArrayLike<number | bigint | string | boolean> | undefined {
  if (!t || t.dims.length === 0 || t.dims.length > 2 || (t.dims.length === 2 && t.dims[1] !== 1)) return undefined;
  return t.data as ArrayLike<number | bigint | string | boolean>;
}

/** One categorical value: a name as it is ("" missing), an index as its category's name (NaN or out of range: missing). */
function categoryOf(v: number | bigint | string | boolean, categories: readonly string[]): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  const i = Number(v);
  return Number.isInteger(i) && i >= 0 && i < categories.length ? categories[i]! : null;
}

/**
 * The rows of one run's inputs as the monitor keeps them (values in feature order), or
 * undefined when the inputs do not have the layout's shape (the run stands; it is not observed).
 */
export function monitorRows(layout: MonitorLayout, feeds: Readonly<Record<string, Tensor>>): ObservedValue[][] | ArrayLike<number>[] | undefined {
  if (layout.columns) {
    const cols = layout.columns.map((c) => column(feeds[c.tensor]));
    if (cols.length === 0 || cols.some((c) => c === undefined)) return undefined;
    const n = cols[0]!.length;
    if (cols.some((c) => c!.length !== n)) return undefined;
    return Array.from({ length: n }, (_, r) =>
      layout.columns!.map((c, j) => {
        const v = cols[j]![r]!;
        if (c.categories) return categoryOf(v, c.categories);
        return typeof v === 'string' ? Number.NaN : Number(v);
      }),
    );
  }
  const t = layout.input === undefined ? undefined : feeds[layout.input];
  if (!t || Array.isArray(t.data) || t.dims.length !== 2) return undefined;
  const width = t.dims[1]!;
  const data = t.data as Float32Array;
  return Array.from({ length: t.dims[0]! }, (_, r) => data.subarray(r * width, (r + 1) * width));
}
