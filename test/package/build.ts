/**
 * The built package for the package checks: dist/ as `npm run build` makes it, rebuilt when any
 * file it is made from (lib/, package.json, the tsconfigs, the build scripts) is newer than it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DIST = join(ROOT, 'dist');

export interface PackageJson {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  sideEffects?: string[] | boolean;
  files?: string[];
}

export const packageJson = (): PackageJson => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** Every file under `dir` (relative to the root), depth first. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function newest(paths: string[]): number {
  return Math.max(...paths.map((p) => statSync(join(ROOT, p)).mtimeMs));
}

/** Builds dist/ unless a build newer than every source is there; returns whether it built. */
export function ensureBuild(): boolean {
  const sources = [...filesUnder('lib'), 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'tools/build-lib.mjs', 'custom-elements-manifest.config.mjs'];
  const stamp = join(DIST, 'index.js');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest(sources)) {
    const built = filesUnder('dist').filter((f) => f.endsWith('.js'));
    const expected = filesUnder('lib').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    if (expected.every((f) => built.includes(f.replace(/^lib\//, 'dist/').replace(/\.ts$/, '.js')))) return false;
  }
  execFileSync('node', ['tools/build-lib.mjs'], { cwd: ROOT, stdio: 'pipe' });
  return true;
}

/** The entries of package.json "exports" that are modules: subpath → { types, import }. */
export function moduleEntries(): { subpath: string; types: string; import: string }[] {
  return Object.entries(packageJson().exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target.import && target.types ? [{ subpath, types: target.types, import: target.import }] : [],
  );
}
