import { describe, expect, it } from 'vitest';
import { abortable, abortError, fromWire, MlPredictError, quote, toWire } from '../lib/errors.js';

describe('errors', () => {
  it('keep code, message and details across the wire form', () => {
    const e = new MlPredictError('QUOTA_EXCEEDED', 'needs 10 bytes, 5 available', { needed: 10, available: 5 });
    const back = fromWire(structuredClone(toWire(e)));
    expect(back).toBeInstanceOf(MlPredictError);
    expect([back.code, back.message, back.details, back.name]).toEqual(['QUOTA_EXCEEDED', e.message, { needed: 10, available: 5 }, 'MlPredictError']);
    expect(fromWire(toWire(new TypeError('boom'))).code).toBe('INTERNAL');
  });

  it('an MlPredictError used as an abort reason reaches the caller as it is, not wrapped again', async () => {
    const paused = new MlPredictError('ABORTED', 'The batch job was paused.');
    expect(abortError(paused)).toBe(paused);
    const controller = new AbortController();
    const pending = abortable(new Promise<never>(() => {}), controller.signal);
    controller.abort(paused);
    await expect(pending).rejects.toBe(paused);
    // Any other reason becomes ABORTED with the reason in its message.
    expect(abortError(new Error('user left')).message).toBe('The operation was aborted: user left.');
    expect(abortError().message).toBe('The operation was aborted.');
  });

  it('quote() is bounded and never throws, whatever it is given', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(quote(deep)).toBe('[[[[…]]]]');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(quote(cycle)).toBe('[object Object]');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(quote(proxy)).toBe('(a value that cannot be read)');
    const hostile = new Proxy([1, 2], { get: () => { throw new Error('getter'); } });
    expect(typeof quote(hostile)).toBe('string');
    expect(quote(12n)).toBe('12n');
    expect(quote({ dims: [2n, 3n] })).toBe('{"dims":["2n","3n"]}');
    expect(quote('x'.repeat(1000))).toHaveLength(202);
    const spoofed = new Float32Array(3);
    Object.defineProperty(spoofed, 'constructor', { value: { name: 'Evil' } });
    expect(quote(spoofed)).toBe('Float32Array(3)');
    expect(quote(Symbol('s'))).toBe('Symbol(s)');
  });
});
