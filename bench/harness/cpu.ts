/**
 * CPU time of the whole machine from /proc/stat (Linux): how busy it is, and how much time the
 * hypervisor gave to other guests ("steal"), which on a shared virtual machine is what makes
 * two runs differ. Elsewhere the figures are undefined.
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

export function cpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal …
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    if (v.length < 8 || v.some((x) => !Number.isFinite(x))) return undefined;
    return { total: v.slice(0, 8).reduce((a, b) => a + b, 0), idle: v[3]! + v[4]!, steal: v[7]! };
  } catch {
    return undefined;
  }
}

/** Between two readings: the share of CPU time that was busy (steal included) and stolen. */
export function cpuShares(a: CpuTimes | undefined, b: CpuTimes | undefined): { busy: number; steal: number } | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const total = b.total - a.total;
  return { busy: 1 - (b.idle - a.idle) / total, steal: (b.steal - a.steal) / total };
}

/**
 * Waits until the machine is quiet: a 3-second window with less than `busy` of the CPU in use
 * (steal included), or `maxMs`. Returns the last window's shares.
 */
export async function settle(maxMs: number, busy = 0.15): Promise<{ busy: number; steal: number } | undefined> {
  const until = Date.now() + maxMs;
  let last: { busy: number; steal: number } | undefined;
  do {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 3_000));
    last = cpuShares(a, cpuTimes());
    if (!last || last.busy < busy) break;
  } while (Date.now() < until);
  return last;
}
