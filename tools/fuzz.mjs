// `npm run fuzz`: the fuzz project alone (test/fuzz/, Chromium). `--long`: ten times the cases,
// other seeds (VITE_FUZZ_LONG=1), for local runs; `npm test` runs the short one.
import { spawnSync } from 'node:child_process';

const long = process.argv.includes('--long');
const rest = process.argv.slice(2).filter((a) => a !== '--long');
const r = spawnSync('npx', ['vitest', 'run', '--project=fuzz', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, ...(long ? { VITE_FUZZ_LONG: '1' } : {}) },
});
process.exit(r.status ?? 1);
