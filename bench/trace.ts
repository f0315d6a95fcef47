/**
 * Reading Chromium traces (browser.startTracing) to say where a long task's time went: what ran
 * inside it on the page's main thread, and how much of its wall time the thread actually had the
 * CPU (a task that waits for a CPU on a busy machine is "long" without doing more work).
 */

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; functionName?: string } };
}

export const TRACE_CATEGORIES = ['toplevel', 'v8', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink'];

export interface LongTaskProfile {
  wallMs: number;
  /** Thread (CPU) time of the task: well below wallMs means the thread waited for a CPU. */
  cpuMs: number;
  /** The largest things that ran inside, with their wall time. */
  inside: { name: string; ms: number }[];
}

/** Every top-level task of ≥ 50 ms on a renderer main thread, with what ran inside it. */
export function longTasksInTrace(json: string): LongTaskProfile[] {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  const mainThreads = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  const tasks = onMain.filter((e) => e.cat?.includes('toplevel') && /RunTask/.test(e.name) && (e.dur ?? 0) >= 50_000);
  return tasks.map((task) => {
    const end = task.ts + task.dur!;
    const inner = new Map<string, number>();
    for (const e of onMain) {
      if (e === task || e.pid !== task.pid || e.tid !== task.tid || e.ts < task.ts || e.ts + (e.dur ?? 0) > end) continue;
      if (/RunTask/.test(e.name)) continue;
      const name = e.args?.data?.functionName ? `${e.name} ${e.args.data.functionName}` : e.args?.data?.url ? `${e.name} ${e.args.data.url.split('/').pop()}` : e.name;
      inner.set(name, Math.max(inner.get(name) ?? 0, (e.dur ?? 0) / 1000));
    }
    return {
      wallMs: task.dur! / 1000,
      cpuMs: (task.tdur ?? task.dur!) / 1000,
      inside: [...inner].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, 4),
    };
  });
}
