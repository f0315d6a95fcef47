// Builds the library into dist/: ES modules + declarations with tsc (one file per module, so a
// bundler can emit the worker and onnxruntime's wasm itself), then the element's manifest when
// its generator is configured. Fails when a file that package.json's "exports" names is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('custom-elements-manifest.config.mjs')) {
  execFileSync('npm', ['run', '--silent', 'cem'], { stdio: 'inherit' });
}
const { exports } = JSON.parse(readFileSync('package.json', 'utf8'));
const targets = Object.values(exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
const missing = targets.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`package.json "exports" names files the build did not make: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`dist/ built (${Object.keys(exports).length} export paths)`);
