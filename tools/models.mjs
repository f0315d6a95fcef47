#!/usr/bin/env node
// Runs the model kit (TypeScript) through vite's module runner: `npm run models`.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const { module } = await runnerImport(fileURLToPath(new URL('./kit/cli.ts', import.meta.url)));
process.exitCode = await module.main(process.argv.slice(2));
