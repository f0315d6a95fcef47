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
  if (unit === 'bytes') return x >= 1024 ? `${(x / 1024).toFixed(2)} KB` : `${x} B`;
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
    if (c.rows.length) out.push(caseTable(c));
    if (c.notes.length) out.push('', ...c.notes.map((n) => `- ${n}`));
  }
  out.push('');
  return out.join('\n');
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per compared row: its ratio to its baseline, with the 1× line. */
export function chartSvg(report: Report): string {
  const bars = report.cases.flatMap((c) =>
    c.rows
      .filter((r) => r.ratio !== undefined && Number.isFinite(r.ratio) && r.vs !== r.variant)
      .map((r) => ({ label: `${c.id} ${r.group.split(/[,(]/)[0]!.trim()} — ${r.variant}`, ratio: r.ratio! })),
  );
  const width = 960;
  const labelW = 520;
  const rowH = 24;
  const top = 48;
  const height = top + bars.length * rowH + 40;
  const max = Math.max(2, ...bars.map((b) => b.ratio));
  const x = (v: number) => labelW + ((width - labelW - 60) * v) / max;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="12" y="22" font-size="15" font-weight="bold">ml-predict vs baselines: ratio of p50 (or value) to the baseline (${escape(report.machine.cpu)}, ${report.machine.cores} cores)</text>`);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${escape(b.label.slice(0, 80))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${Math.max(1, x(b.ratio) - labelW)}" height="${rowH - 8}" fill="${b.ratio <= 1.05 ? '#2b8a3e' : '#c92a2a'}"/>`);
    parts.push(`<text x="${x(b.ratio) + 4}" y="${y + 16}">${b.ratio}×</text>`);
  });
  parts.push(`<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${top + bars.length * rowH}" stroke="#000" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x(1)}" y="${top - 10}" text-anchor="middle">1×</text>`);
  parts.push(`<text x="12" y="${height - 12}" fill="#555">${escape(report.generatedAt.slice(0, 10))} · ${escape(report.machine.chromium)} · green ≤ 1.05×, red above (for throughput rows, higher is better)</text>`);
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
