/**
 * Keeps the benchmark harness working: `npm run bench -- --quick` (every case once, tiny sizes)
 * must finish and write a report with every case. No timing is asserted here: speed is what the
 * full `npm run bench` reports.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../bench/types.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(ROOT, 'e2e/.tmp/bench-quick');
const CASES = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];

function runQuick(): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bench/run.mjs'), '--quick', `--out=${OUT}`], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('npm run bench -- --quick', () => {
  it('runs every case and writes the JSON and markdown report', { timeout: 600_000 }, async () => {
    rmSync(OUT, { recursive: true, force: true });
    const { code, output } = await runQuick();
    const file = resolve(OUT, 'quick.json');
    expect(existsSync(file), `no report written; output:\n${output.slice(-4000)}`).toBe(true);
    const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    expect(report.mode).toBe('quick');
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.chromium).toMatch(/^Chromium \d/);
    expect(report.cases.map((c) => c.id)).toEqual(CASES);
    for (const c of report.cases) {
      expect(c.error, `${c.id} failed; output:\n${output.slice(-4000)}`).toBeUndefined();
      expect(c.rows.length, `${c.id} has no rows`).toBeGreaterThan(0);
      expect(c.targets.length, `${c.id} checks no target`).toBeGreaterThan(0);
    }
    const md = readFileSync(resolve(OUT, 'quick.md'), 'utf8');
    for (const id of CASES) expect(md).toContain(`## ${id} `);
    expect(code, output.slice(-4000)).toBe(0);
  });
});
