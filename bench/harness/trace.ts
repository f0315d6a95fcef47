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

export const TRACE_CATEGORIES = ['toplevel', 'v8', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'blink.user_timing'];

export interface LongTaskProfile {
  wallMs: number;
  /** Thread (CPU) time of the task: well below wallMs means the thread waited for a CPU. */
  cpuMs: number;
  /** The largest things that ran inside, with their wall time. */
  inside: { name: string; ms: number }[];
  /** Other threads (by name, summed) with the most CPU time during the task: who had the cores. */
  others: { thread: string; cpuMs: number }[];
}

/**
 * Every top-level task of ≥ 50 ms on a renderer main thread, with what ran inside it; with
 * `after`, only those that end after the page's `performance.mark(after)` (the measured part,
 * not the page's own start).
 */
export function longTasksInTrace(json: string, after?: string): LongTaskProfile[] {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = after === undefined ? undefined : events.find((e) => e.name === after && e.cat?.includes('user_timing'));
  const since = mark?.ts ?? -Infinity;
  const mainThreads = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const threadNames = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? '?']));
  const onMain = events.filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  // Top-level tasks of every other thread: their CPU time inside a window says who had the cores.
  const elsewhere = events.filter((e) => e.ph === 'X' && e.cat?.includes('toplevel') && !mainThreads.has(`${e.pid}:${e.tid}`) && e.dur);
  const tasks = onMain.filter((e) => e.cat?.includes('toplevel') && /RunTask/.test(e.name) && (e.dur ?? 0) >= 50_000 && e.ts + e.dur! > since);
  return tasks.map((task) => {
    const end = task.ts + task.dur!;
    const inner = new Map<string, number>();
    for (const e of onMain) {
      if (e === task || e.pid !== task.pid || e.tid !== task.tid || e.ts < task.ts || e.ts + (e.dur ?? 0) > end) continue;
      if (/RunTask/.test(e.name)) continue;
      const name = e.args?.data?.functionName ? `${e.name} ${e.args.data.functionName}` : e.args?.data?.url ? `${e.name} ${e.args.data.url.split('/').pop()}` : e.name;
      inner.set(name, Math.max(inner.get(name) ?? 0, (e.dur ?? 0) / 1000));
    }
    const others = new Map<string, number>();
    for (const e of elsewhere) {
      const overlap = Math.min(end, e.ts + e.dur!) - Math.max(task.ts, e.ts);
      if (overlap <= 0) continue;
      // CPU time of the part inside the window, in proportion to the event's own CPU share.
      const cpu = (overlap * (e.tdur ?? e.dur!)) / e.dur!;
      const name = (threadNames.get(`${e.pid}:${e.tid}`) ?? 'unnamed').replace(/\d+$/, '').trim();
      others.set(name, (others.get(name) ?? 0) + cpu / 1000);
    }
    return {
      wallMs: task.dur! / 1000,
      cpuMs: (task.tdur ?? task.dur!) / 1000,
      inside: [...inner].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, 4),
      others: [...others].map(([thread, cpuMs]) => ({ thread, cpuMs })).sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 4),
    };
  });
}
