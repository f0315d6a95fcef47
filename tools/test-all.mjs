// `npm test`: typecheck, lint, then every vitest project (node, browser, webgpu, e2e) in one
// run; ends with the line "N passed, N failed" counted from vitest's JSON report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const extra = process.argv.slice(2);
let failedChecks = 0;
let passedChecks = 0;
for (const [name, args] of [
  ['typecheck', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['eslint', '.']],
]) {
  const r = spawnSync('npx', args, { stdio: 'inherit' });
  if (r.status === 0) passedChecks++;
  else {
    failedChecks++;
    console.error(`✗ ${name} failed`);
  }
}

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], {
  stdio: 'inherit',
});
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests;
  skipped = json.numPendingTests + json.numTodoTests;
  // A file that failed to load has no tests to count: count it as a failure.
  failed += json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} catch (e) {
  console.error(`could not read ${report}: ${e.message}`);
  failed++;
}
if (r.status !== 0 && failed === 0) failed++;
passed += passedChecks;
failed += failedChecks;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
