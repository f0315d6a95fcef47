/**
 * Running `ml-predict` in the CLI tests: in this process (`cli()`, through runCli, with stdout
 * and stderr captured) where only the output and the exit code matter, or as its own process
 * (`spawnCli()`, lib/cli/main.ts bundled by esbuild next to node_modules, so onnxruntime-web
 * resolves as an installed package does) where the process itself matters: the exit status,
 * a kill. Temporary folders are removed by `cleanup()`.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runCli } from '../../lib/cli/run.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MODELS = join(ROOT, 'public', 'models');

/** The breast-cancer CSV (scikit-learn's layout): the shared copy, else the repository's. */
export const BREAST_CANCER_CSV = [join(ROOT, '..', 'shared', 'data', 'breast_cancer.csv'), join(ROOT, 'tools', 'datasets', 'breast_cancer.csv')].find(existsSync)!;

export interface Run {
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command line in this process. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), tty: false, quiet: false, env });
  return { code, stdout, stderr };
}

const temps: string[] = [];

export function tempDir(prefix = 'ml-predict-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A folder with a copy of the demo's registry and model files. */
export function registryCopy(): string {
  const dir = tempDir('ml-predict-registry-');
  cpSync(MODELS, dir, { recursive: true });
  return dir;
}

let bundle: string | undefined;

/** lib/cli/main.ts as one ES module beside node_modules (onnxruntime-web stays the installed package). */
export async function cliBundle(): Promise<string> {
  if (bundle) return bundle;
  const dir = join(ROOT, 'node_modules', '.cache', 'ml-predict-cli');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `main-${process.pid}-${Date.now().toString(36)}.mjs`);
  await build({ entryPoints: [join(ROOT, 'lib/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, external: ['onnxruntime-web'], logLevel: 'silent' });
  temps.push(out);
  bundle = out;
  return out;
}

/** Runs the bundled command line as its own process. */
export async function spawnCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const main = await cliBundle();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

export function cleanup(): void {
  for (const p of temps.splice(0)) rmSync(p, { recursive: true, force: true });
  bundle = undefined;
}
