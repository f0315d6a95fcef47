/**
 * Writes the report: NAME.json (everything), NAME.md (the tables the README shows) and
 * NAME.svg + NAME.png (a chart of the ratios, rendered to PNG with Chromium's screenshot).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.js';
import type { CaseResult, Report, Row } from './types.js';

const fmt = (x: number | undefined, unit?: string): string => {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (unit === 'bytes') return x >= 1000 ? `${(x / 1000).toFixed(2)} KB` : `${x} B`;
  return String(x);
};

function ratioCell(r: Row): string {
  if (r.ratio === undefined || Number.isNaN(r.ratio)) return '–';
  return r.ratio === 1 && r.vs === r.variant ? '1 (baseline)' : `${r.ratio}×`;
}

function caseTable(c: CaseResult): string {
  const lines: string[] = [];
  const timed = c.rows.some((r) => r.p50 !== undefined);
  if (timed) {
    lines.push('| Measured | Variant | p50 | p95 | Ratio | n |', '| --- | --- | ---: | ---: | ---: | ---: |');
    for (const r of c.rows) {
      const unit = r.unit === 'ms' ? ' ms' : ` ${r.unit}`;
      const p50 = r.p50 !== undefined ? `${fmt(r.p50)}${unit}` : r.value !== undefined ? `${fmt(r.value, r.unit)}${r.unit === 'bytes' ? '' : unit}` : '–';
      const p95 = r.p95 !== undefined ? `${fmt(r.p95)}${unit}` : '–';
      lines.push(`| ${r.group} | ${r.variant}${r.note ? ` — ${r.note}` : ''} | ${p50} | ${p95} | ${ratioCell(r)} | ${r.n ?? '–'} |`);
    }
  } else {
    lines.push('| Measured | Variant | Value | Ratio |', '| --- | --- | ---: | ---: |');
    for (const r of c.rows) {
      const value = r.unit === 'bytes' ? fmt(r.value, 'bytes') : `${fmt(r.value)} ${r.unit}`;
      lines.push(`| ${r.group} | ${r.variant}${r.note ? ` — ${r.note}` : ''} | ${value} | ${ratioCell(r)} |`);
    }
  }
  return lines.join('\n');
}

export function markdown(report: Report, chart?: string): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(`# ml-predict benchmarks (${report.mode} run)`);
  out.push('');
  out.push(
    `${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC · ${report.seconds} s · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.os} · ${m.chromium} (headless) · Node ${m.node} · onnxruntime-web ${report.onnxruntimeWeb} · load average ${m.loadAverage.start} at start, ${m.loadAverage.end} at end`,
  );
  out.push('');
  out.push('Each case runs next to its baseline in the same browser and run; ratios are p50 ÷ the baseline\'s p50 (lower is better for times). Produced by `npm run bench`; see bench/README.md for what each case does.');
  out.push('');
  if (chart) out.push(`![Ratios of each case to its baseline](${chart})`, '');
  out.push('## Targets', '', '| Case | Target | Measured | Met |', '| --- | --- | --- | :---: |');
  for (const c of report.cases) {
    for (const t of c.targets) {
      const met = t.met === null ? 'not measured' : t.met ? 'yes' : '**no**';
      out.push(`| ${t.case} | ${t.target} | ${t.measured}${t.reason ? ` — ${t.reason}` : ''} | ${met} |`);
    }
    if (c.error) out.push(`| ${c.id} | (whole case) | failed: ${c.error.replace(/\|/g, '\\|')} | **no** |`);
  }
  for (const c of report.cases) {
    out.push('', `## ${c.id} ${c.title}`, '');
    if (c.error) out.push(`Failed: ${c.error}`, '');
    if (c.cpu) {
      const reference = c.reference ? ` The reference work (bench/harness/probe.ts) took ${c.reference.before} ms right before the case and ${c.reference.after} ms right after it.` : '';
      const faults = c.pageFault ? ` A first touch of fresh memory cost ${c.pageFault.before} µs per 4 KiB page before it and ${c.pageFault.after} µs after it.` : '';
      out.push(`${Math.round(c.seconds)} s; the machine's CPU was ${Math.round(c.cpu.busy * 100)} % busy, and ${(c.cpu.steal * 100).toFixed(1)} % of its time went to other guests of the host (steal).${reference}${faults}`, '');
    }
    if (c.rows.length) out.push(caseTable(c));
    if (c.notes.length) out.push('', ...c.notes.map((n) => `- ${n}`));
  }
  out.push('');
  return out.join('\n');
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One bar per compared row: its ratio to its baseline on a log scale, drawn from the 1× line
 * (left: less than the baseline, right: more). Every ratio in the report is "lower is better"
 * (times, bytes, heap), so green is at or below 1.05× and red above.
 */
export function chartSvg(report: Report): string {
  const bars = report.cases.flatMap((c) =>
    c.rows
      .filter((r) => r.ratio !== undefined && Number.isFinite(r.ratio) && r.ratio > 0 && r.vs !== r.variant)
      .map((r) => ({ label: `${c.id} ${r.short ?? r.group} — ${r.variant}`, ratio: r.ratio! })),
  );
  const width = 1000;
  const labelW = 560;
  const rowH = 22;
  const top = 56;
  const plotW = width - labelW - 70;
  const height = top + bars.length * rowH + 44;
  const lo = Math.min(0.1, ...bars.map((b) => b.ratio));
  const hi = Math.max(10, ...bars.map((b) => b.ratio));
  const x = (v: number) => labelW + (plotW * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(
    `<text x="12" y="22" font-size="15" font-weight="bold">ml-predict benchmarks: each row's p50 (or value) ÷ its baseline's, log scale, lower is better</text>`,
  );
  for (const tick of [0.1, 0.3, 1, 3, 10, 30, 100, 300].filter((t) => t >= lo && t <= hi)) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${top + bars.length * rowH}" stroke="${tick === 1 ? '#000' : '#ddd'}"${tick === 1 ? ' stroke-dasharray="4 3"' : ''}/>`);
    parts.push(`<text x="${x(tick)}" y="${top - 8}" text-anchor="middle" fill="#333">${tick}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const x0 = Math.min(x(1), x(b.ratio));
    const w = Math.max(1.5, Math.abs(x(b.ratio) - x(1)));
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escape(b.label.length > 88 ? `${b.label.slice(0, 87)}…` : b.label)}</text>`);
    parts.push(`<rect x="${x0}" y="${y + 4}" width="${w}" height="${rowH - 8}" fill="${b.ratio <= 1.05 ? '#2b8a3e' : '#c92a2a'}"/>`);
    parts.push(`<text x="${Math.max(x(1), x(b.ratio)) + 4}" y="${y + 15}">${b.ratio}×</text>`);
  });
  const m = report.machine;
  parts.push(
    `<text x="12" y="${height - 14}" fill="#555">${escape(`${report.generatedAt.slice(0, 10)} · ${report.mode} run · ${m.cpu}, ${m.cores} cores · ${m.chromium} · green ≤ 1.05×, red above`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

async function renderPng(svg: string, file: string): Promise<void> {
  const { browser, context } = await launch('default');
  try {
    const page = await context.newPage();
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

/** Writes the report files; returns their paths. */
export async function writeReport(report: Report, dir: string, name: string): Promise<string[]> {
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  const svgFile = join(dir, `${name}.svg`);
  const png = join(dir, `${name}.png`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const svg = chartSvg(report);
  writeFileSync(svgFile, svg);
  let chart: string | undefined;
  try {
    await renderPng(svg, png);
    chart = `${name}.png`;
  } catch (e) {
    console.warn(`could not render ${png}: ${e instanceof Error ? e.message : String(e)}`);
  }
  writeFileSync(md, markdown(report, chart));
  return chart ? [json, md, svgFile, png] : [json, md, svgFile];
}
