// Builds the library into dist/: ES modules + declarations with tsc (one file per module, so a
// bundler can emit the worker and onnxruntime's wasm itself), then the element's manifest when
// its generator is configured.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (existsSync('custom-elements-manifest.config.mjs')) {
  execFileSync('npm', ['run', '--silent', 'cem'], { stdio: 'inherit' });
}
console.log('dist/ built');
