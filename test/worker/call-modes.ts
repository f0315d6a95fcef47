/** The two ways a page sends calls to the runtime worker, for tests that run in both. */
import { runtimeWorker, setShareStopFlags } from '../../lib/worker/host.js';

/**
 * With stop flags in shared memory (cross-origin isolated pages, calls queue in the worker) and
 * without (calls wait on the page, one sent at a time).
 */
export const MODES = [
  { share: true, name: 'with shared stop flags' },
  { share: false, name: 'one call at a time' },
];

/** The next loads get a new shared worker, started in this mode. */
export function startWorkersSharing(share: boolean): void {
  setShareStopFlags(share);
  runtimeWorker().end();
}
