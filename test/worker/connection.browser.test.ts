// WorkerConnection: a worker that fails before it says READY is started once more, and calls
// made meanwhile wait for it; two failed starts reject with a message that says so and names
// the 304-without-headers case (e2e/engines.e2e.test.ts shows it for real in WebKit).
import { describe, expect, it } from 'vitest';
import { MlPredictError } from '../../lib/errors.js';
import { WorkerConnection } from '../../lib/worker/connection.js';
import type { RuntimeApi } from '../../lib/worker/protocol.js';
import { rejection } from '../helpers.js';

const crashed = (reason: string) => new MlPredictError('WORKER_CRASHED', `The test worker stopped (${reason}).`);
/** A module worker script that is not there: its Worker fires `error` before any message. */
const missing = () => new Worker('/__test/files/no-such-worker.js', { type: 'module' });
const runtime = () => new Worker(new URL('../../lib/worker/runtime.ts', import.meta.url), { type: 'module' });

describe('WorkerConnection', () => {
  it('a worker that fails to start is started once more; the call made meanwhile runs on the second', async () => {
    let starts = 0;
    const connection = new WorkerConnection<RuntimeApi>(() => (++starts === 1 ? missing() : runtime()), crashed);
    expect(await connection.call((api) => api.sessionCount())).toBe(0);
    expect(starts).toBe(2);
    expect(connection.dead).toBe(false);
    connection.stop(crashed('ended by the test'));
  });

  it('two failed starts reject pending and later calls with WORKER_CRASHED saying it failed to start twice', async () => {
    let starts = 0;
    let stops = 0;
    const connection = new WorkerConnection<RuntimeApi>(
      () => (starts++, missing()),
      crashed,
      () => stops++,
    );
    const err = await rejection(connection.call((api) => api.sessionCount()));
    expect(err.code).toBe('WORKER_CRASHED');
    expect(err.message).toMatch(/failed to start, twice/);
    expect(err.message).toMatch(/Cross-Origin-Embedder-Policy.*304 revalidations/);
    expect(starts).toBe(2);
    expect(stops).toBe(1);
    expect(connection.dead).toBe(true);
    expect((await rejection(connection.call((api) => api.sessionCount()))).message).toMatch(/already stopped/);
  });

  it('a worker that dies after READY is not restarted: its calls reject with the crash error', async () => {
    let starts = 0;
    const connection = new WorkerConnection<RuntimeApi>(() => (starts++, runtime()), crashed);
    expect(await connection.call((api) => api.sessionCount())).toBe(0);
    const pending = connection.call(() => new Promise<never>(() => {}));
    connection.stop(crashed('killed by the test'));
    expect((await rejection(pending)).message).toMatch(/killed by the test/);
    expect(starts).toBe(1);
  });
});
