#!/usr/bin/env node
// `node tools/samples.mjs [--check]`: the demo's sample CSV files for batch jobs (tools/samples.ts),
// run through vite's module runner like tools/models.mjs.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./samples.ts', import.meta.url)));
process.exitCode = await module.main(process.argv.slice(2));
