/** The report's shape (bench/results/latest.json) and what every case gets to run with. */
import type { BrowserContext, CDPSession } from 'playwright';
import type { Launched } from './browser.js';
import type { GpuTurns } from './harness/gpu-turns.js';

export interface Row {
  /** What is measured, e.g. "tiny: breast-cancer logistic regression, 1 row". */
  group: string;
  /** Which side, e.g. "ml-predict (worker)" or "onnxruntime-web, main thread (baseline)". */
  variant: string;
  /** A shorter name for the group, for the chart. */
  short?: string;
  unit: 'ms' | 'bytes' | 'count' | 'rows/s' | 'MB';
  p50?: number;
  p95?: number;
  /** A single measured value (sizes, counts, throughput). */
  value?: number;
  n?: number;
  /** This row's p50 (or value) divided by its baseline's. */
  ratio?: number;
  /** The variant this row's ratio is taken against. */
  vs?: string;
  note?: string;
}

export interface Target {
  case: string;
  /** The target as the issue states it. */
  target: string;
  /** The figure measured, in words. */
  measured: string;
  /** null: could not be measured in this run (see reason). */
  met: boolean | null;
  /** Why it was missed (found by profiling), or why it could not be measured. */
  reason?: string;
}

export interface CaseResult {
  id: string;
  title: string;
  rows: Row[];
  targets: Target[];
  notes: string[];
  seconds: number;
  /** Share of the machine's CPU time while the case ran: busy (all work, steal included) and stolen by the hypervisor for other guests (Linux /proc/stat). */
  cpu?: { busy: number; steal: number };
  /** The reference work's time (bench/harness/probe.ts) right before and right after the case, in ms: how fast the machine itself was. */
  reference?: { before: number; after: number };
  /** The first touch of fresh memory, µs per 4 KiB page (bench/harness/probe.ts), right before and right after the case. */
  pageFault?: { before: number; after: number };
  error?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  /** 1-minute load average when the run started and ended (other work on the machine skews timings). */
  loadAverage: { start: number; end: number };
}

export interface Report {
  generatedAt: string;
  mode: 'full' | 'quick';
  seconds: number;
  machine: Machine;
  onnxruntimeWeb: string;
  cases: CaseResult[];
}

export interface Ctx {
  quick: boolean;
  origin: string;
  /** The default launch (started on first use). */
  browser(): Promise<Launched>;
  /** The WebGPU launch (SwiftShader; started on first use). */
  webgpu(): Promise<Launched>;
  /** A fresh browser context of the default launch (own storage), closed by the caller. */
  freshContext(): Promise<{ context: BrowserContext; cdp: CDPSession }>;
  log(message: string): void;
  /** P7's WebGPU sessions, set by the run schedule in a full run of P7 and other cases (see harness/run.ts). */
  gpuTurns?: GpuTurns;
}
