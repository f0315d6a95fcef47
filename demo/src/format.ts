/** Formatting for people: sizes, durations, times, probabilities. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB" (decimal units, as browsers and file managers show them). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'unknown size';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Milliseconds with sensible precision: 0.0123 → "0.012 ms", 12.3 → "12.3 ms", 1234 → "1.23 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toPrecision(2)} ms`;
}

/** 0.9731 → "97.3 %". */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(p >= 0.9995 || p < 0.0005 ? 0 : 1)} %`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** A time relative to now: "2 minutes ago", "yesterday"; "never" when missing. */
export function formatWhen(time: number | undefined, now = Date.now()): string {
  if (time === undefined || !Number.isFinite(time)) return 'never';
  const seconds = Math.round((time - now) / 1000);
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
    ['year', Infinity],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return Math.abs(value) < 10 && unit === 'second' ? 'just now' : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return relative.format(value, 'year');
}

/** Percentile (0..1) of a list of numbers, by linear interpolation. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
