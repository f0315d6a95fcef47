// Builds the library into dist/: ES modules + declarations with tsc (one file per module, so a
// bundler can emit the worker and onnxruntime's wasm itself), then the element's manifest when
// its generator is configured. The command line's entry (package.json "bin") is made executable.
// Fails when a file that package.json's "exports" or "bin" names is missing.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('custom-elements-manifest.config.mjs')) {
  execFileSync('npm', ['run', '--silent', 'cem'], { stdio: 'inherit' });
}
const { exports, bin = {} } = JSON.parse(readFileSync('package.json', 'utf8'));
// The command line (lib/cli/main.ts keeps its #! line through tsc) is run as a program.
for (const file of Object.values(bin)) if (existsSync(file)) chmodSync(file, 0o755);
const targets = [...Object.values(exports), ...Object.values(bin)].flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
const missing = targets.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`package.json "exports" or "bin" names files the build did not make: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`dist/ built (${Object.keys(exports).length} export paths)`);
