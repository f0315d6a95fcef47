#!/usr/bin/env node
// Runs the model kit (TypeScript) through vite's module runner: `npm run models`.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./kit/cli.ts', import.meta.url).pathname);
process.exitCode = await module.main(process.argv.slice(2));
