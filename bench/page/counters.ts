/**
 * Counts the workers this page's main thread starts and ends, by wrapping the Worker class
 * (onnxruntime's own threads start inside the runtime worker and are not counted here; the
 * runner counts every worker target through the DevTools protocol as well).
 */
import type { WorkerCounts } from './api.js';

export const counts: WorkerCounts = { created: 0, terminated: 0 };
const waiters = new Set<() => void>();

const Original = globalThis.Worker;
globalThis.Worker = class CountedWorker extends Original {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    counts.created++;
  }
  override terminate(): void {
    super.terminate();
    counts.terminated++;
    if (counts.terminated >= counts.created) for (const w of waiters) w();
  }
};

/** Resolves when every counted worker has been terminated, or after `timeoutMs`. */
export function workersGone(timeoutMs: number): Promise<WorkerCounts> {
  if (counts.terminated >= counts.created) return Promise.resolve({ ...counts });
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      waiters.delete(done);
      resolve({ ...counts });
    };
    const timer = setTimeout(done, timeoutMs);
    waiters.add(done);
  });
}
