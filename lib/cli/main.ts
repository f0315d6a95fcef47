#!/usr/bin/env node
/** The `ml-predict` executable (package.json "bin"): runs the command line and exits with its code. */
import { runCli } from './run.js';

const stderr = process.stderr;
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void stderr.write(text),
  tty: stderr.isTTY === true,
  quiet: false,
  env: process.env,
});
