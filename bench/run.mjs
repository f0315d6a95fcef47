#!/usr/bin/env node
// `npm run bench` (full) and `npm run bench:quick` / `npm run bench -- --quick`: runs the
// TypeScript benchmark runner (bench/main.ts) through vite's module runner.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./main.ts', import.meta.url)));
process.exitCode = await module.main(process.argv.slice(2));
