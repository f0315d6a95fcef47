/**
 * P5 sizes, minified + gzipped, against the budgets of .size-limit.js (size-limit on builds of
 * the library and the demo, p5-build.ts), with where the bytes of `import { loadModel }` go.
 */
import type { CaseResult, Ctx, Row, Target } from '../types.js';
import { breakdown, buildAndMeasure } from './p5-build.js';

export async function p5(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const { results, demoError } = await buildAndMeasure(ctx.log);
  if (demoError) notes.push(`The demo app shell was not measured: ${demoError}`);
  for (const r of results) {
    rows.push({
      group: r.name,
      short: r.name.split(' (')[0],
      variant: 'min + gzip vs budget',
      unit: 'bytes',
      value: r.size,
      ratio: r.sizeLimit ? Math.round((r.size / r.sizeLimit) * 100) / 100 : undefined,
      vs: r.sizeLimit ? `budget ${r.sizeLimit} bytes` : undefined,
      note: r.sizeLimit ? `budget ${(r.sizeLimit / 1000).toFixed(0)} KB: ${r.passed ? 'within' : 'over'}` : undefined,
    });
  }
  let reason: string | undefined;
  try {
    const parts = await breakdown();
    const total = parts.reduce((a, p) => a + p.bytes, 0);
    const share = (p: { bytes: number }) => Math.round((p.bytes / total) * 100);
    notes.push(
      `Where import { loadModel } spends its bytes (minified, before gzip; ${total} bytes in all): ${parts
        .slice(0, 10)
        .map((p) => `${p.module} ${share(p)} %`)
        .join(', ')}.`,
    );
    // Modules only the Model handle's card, batch and evaluation methods need.
    const extras = parts.filter((p) => /^(model\/(card|interpret)|batch\/|evaluate\/)/.test(p.module));
    const extraShare = Math.round((extras.reduce((a, p) => a + p.bytes, 0) / total) * 100);
    if (extras.length) {
      reason = `${extraShare} % of the minified bundle is ${extras.map((p) => p.module).join(', ')}: model/load.ts imports them statically for the Model handle's methods (predictValues, predictBatch, …), so a bundler cannot leave them out of import { loadModel }; importing them with import() inside those methods would keep them out of the core`;
    }
  } catch (e) {
    notes.push(`No breakdown of the core bundle: ${e instanceof Error ? e.message : String(e)}`);
  }
  const core = results.find((r) => r.name.startsWith('core: import { loadModel }'));
  if (core) {
    targets.push({
      case: 'P5',
      target: 'core library (main thread, without onnxruntime-web) ≤ 10 KB min+gz',
      measured: `${(core.size / 1000).toFixed(2)} KB for import { loadModel }; ${(results.find((r) => r.name.startsWith('core: every'))!.size / 1000).toFixed(2)} KB for every export`,
      met: core.size <= 10_000,
      reason: core.size > 10_000 ? reason : undefined,
    });
  }
  for (const r of results) {
    if (r.passed === false && r !== core) notes.push(`Over budget: ${r.name}: ${r.size} bytes > ${r.sizeLimit}.`);
  }
  notes.push('Sizes are bytes after esbuild minification (ESM) and gzip level 9, measured by size-limit with the checks in .size-limit.js; the demo shell is the built files as served.');
  return { id: 'P5', title: 'Sizes (min + gzip)', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
