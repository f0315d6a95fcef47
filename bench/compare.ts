/**
 * Compares the ratios of two reports (`npm run bench -- --compare=a.json,b.json`): for every row
 * both have, the relative difference between the two runs' ratios, so that the spread between
 * runs can be stated (the acceptance asks for ratios within 15 % of each other).
 */
import { readFileSync } from 'node:fs';
import type { Report } from './types.js';

export interface RatioDiff {
  key: string;
  a: number;
  b: number;
  /** |a − b| ÷ min(a, b). */
  spread: number;
}

export function compareReports(a: Report, b: Report): RatioDiff[] {
  const ratios = (r: Report) =>
    new Map(
      r.cases.flatMap((c) =>
        c.rows.filter((row) => row.ratio !== undefined && Number.isFinite(row.ratio) && row.vs !== row.variant).map((row) => [`${c.id} ${row.group} — ${row.variant}`, row.ratio!] as const),
      ),
    );
  const ra = ratios(a);
  const rb = ratios(b);
  const out: RatioDiff[] = [];
  for (const [key, x] of ra) {
    const y = rb.get(key);
    if (y === undefined) continue;
    out.push({ key, a: x, b: y, spread: Math.abs(x - y) / Math.min(x, y) });
  }
  return out;
}

export function compareFiles(fileA: string, fileB: string): string {
  const a = JSON.parse(readFileSync(fileA, 'utf8')) as Report;
  const b = JSON.parse(readFileSync(fileB, 'utf8')) as Report;
  const diffs = compareReports(a, b);
  const lines = ['| Row | Run A | Run B | Spread |', '| --- | ---: | ---: | ---: |'];
  for (const d of diffs) lines.push(`| ${d.key} | ${d.a}× | ${d.b}× | ${(d.spread * 100).toFixed(1)} % |`);
  const within = diffs.filter((d) => d.spread <= 0.15).length;
  const sorted = diffs.map((d) => d.spread).sort((x, y) => x - y);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
  lines.push('', `${within} of ${diffs.length} ratios within 15 % of each other; median spread ${(median * 100).toFixed(1)} %, largest ${((sorted.at(-1) ?? NaN) * 100).toFixed(1)} %.`);
  // What the host took from each run, per case (other guests' CPU time: "steal").
  const stealOf = (r: Report) => new Map(r.cases.filter((c) => c.cpu).map((c) => [c.id, c.cpu!.steal]));
  const [sa, sb] = [stealOf(a), stealOf(b)];
  const ids = [...sa.keys()].filter((id) => sb.has(id));
  if (ids.length) lines.push(`CPU steal per case (A / B): ${ids.map((id) => `${id} ${(sa.get(id)! * 100).toFixed(1)} / ${(sb.get(id)! * 100).toFixed(1)} %`).join(', ')}.`);
  // How fast the machine itself was around each case (the same fixed work, bench/harness/probe.ts).
  const around = (label: string, of: (c: Report['cases'][number]) => { before: number; after: number } | undefined) => {
    const index = (r: Report) => new Map(r.cases.flatMap((c) => (of(c) ? [[c.id, of(c)!] as const] : [])));
    const [ma, mb] = [index(a), index(b)];
    const both = [...ma.keys()].filter((id) => mb.has(id));
    const show = (x: { before: number; after: number }) => `${x.before}→${x.after}`;
    if (both.length) lines.push(`${label} (before→after each case; A / B): ${both.map((id) => `${id} ${show(ma.get(id)!)} / ${show(mb.get(id)!)}`).join(', ')}.`);
  };
  around('Reference work, ms', (c) => c.reference);
  around('First touch of fresh memory, µs per 4 KiB page', (c) => c.pageFault);
  return lines.join('\n');
}
