#!/usr/bin/env node
// `node bench/batch.mjs [--rows=1000000] [--model=house-price] [--workers=1,2]`: the CSV batch-job
// benchmark (bench/batch.ts), run through vite's module runner like bench/run.mjs.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./batch.ts', import.meta.url)));
process.exitCode = await module.main(process.argv.slice(2));
