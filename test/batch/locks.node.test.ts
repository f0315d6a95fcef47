/**
 * The page's turn between batch jobs (lib/batch/locks.ts `takeTurn`): one job at a time, the
 * others in the order they asked; an abort while waiting gives up the place (or the turn, when
 * it was handed over in the same moment), and a turn freed while the waiter's `onWait` runs is
 * taken, not waited for.
 */
import { within } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { takeTurn } from '../../lib/batch/locks.js';
import { MlPredictError } from '../../lib/errors.js';

const never = new AbortController().signal;
const nothing = async () => undefined;

/** A turn that never comes fails the test within 1 s instead of hanging it. */
const turn = <T>(p: Promise<T>) => within(1000, p, 'the turn');

describe('takeTurn', () => {
  it('one job at a time, the others in the order they asked; onWait only for those that wait', async () => {
    const order: string[] = [];
    const waited: string[] = [];
    const first = await takeTurn(never, async () => void waited.push('a'));
    const b = takeTurn(never, async () => void waited.push('b')).then((release) => (order.push('b'), release));
    const c = takeTurn(never, async () => void waited.push('c')).then((release) => (order.push('c'), release));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    expect(waited).toEqual(['b', 'c']);
    first();
    first(); // a second call passes nothing on
    const releaseB = await turn(b);
    expect(order).toEqual(['b']);
    releaseB();
    (await turn(c))();
    expect(order).toEqual(['b', 'c']);
    // The turn is free again.
    (await turn(takeTurn(never, nothing)))();
  });

  it('an abort while waiting rejects with its reason and leaves the queue', async () => {
    const first = await takeTurn(never, nothing);
    const stop = new AbortController();
    const waiting = takeTurn(stop.signal, nothing);
    await new Promise((r) => setTimeout(r, 0));
    const reason = new MlPredictError('ABORTED', 'The batch job was paused.');
    stop.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const next = takeTurn(never, nothing);
    first();
    (await turn(next))();
  });

  it('an abort right after the turn was handed over passes it on', async () => {
    const first = await takeTurn(never, nothing);
    const stop = new AbortController();
    const second = takeTurn(stop.signal, nothing);
    const third = takeTurn(never, nothing);
    await new Promise((r) => setTimeout(r, 0));
    first();
    stop.abort(new MlPredictError('ABORTED', 'The batch job was cancelled.'));
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
    (await turn(third))();
  });

  it('a turn freed while the waiter stores its "queued" status is taken at once', async () => {
    const first = await takeTurn(never, nothing);
    const second = takeTurn(never, async () => {
      await new Promise((r) => setTimeout(r, 5));
      first();
    });
    (await turn(second))();
  });
});
