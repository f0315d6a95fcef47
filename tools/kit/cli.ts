/**
 * `npm run models [-- --only a,b] [--out DIR] [--docs FILE] [--check]`: builds the demo models
 * into public/models/ (and the table in docs/MODELS.md). --check builds in memory and exits 1
 * when the files on disk differ (for CI: the committed models are what the code builds).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModels, modelsTable, outputFiles, staleFiles, writeBuild } from './build.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]): Promise<number> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = resolve(arg(args, '--out') ?? resolve(root, 'public/models'));
  const only = arg(args, '--only')?.split(',').filter(Boolean);
  const docs = args.includes('--no-docs') || only ? undefined : resolve(arg(args, '--docs') ?? resolve(root, 'docs/MODELS.md'));
  const started = Date.now();
  const built = buildModels(only);
  for (const b of built) {
    const m = Object.entries(b.card.metrics ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(`${b.name} ${b.version}: ${b.onnx.length} bytes${m ? `; ${m}` : ''}`);
  }
  if (args.includes('--check')) {
    const stale = staleFiles(out, outputFiles(built));
    if (stale.length) {
      console.error(`Out of date in ${out}: ${stale.join(', ')}. Run \`npm run models\`.`);
      return 1;
    }
    console.log(`All ${outputFiles(built).length} files in ${out} are up to date (${Date.now() - started} ms).`);
    return 0;
  }
  const files = writeBuild(out, built, docs);
  console.log(`Wrote ${files.length} files to ${out}${docs ? ` and ${docs}` : ''} in ${Date.now() - started} ms.`);
  if (docs) console.log(modelsTable(built).split('\n').filter((l) => l.startsWith('|')).join('\n'));
  return 0;
}
