import { describe, expect, it } from 'vitest';
import { orderAuto, parseBackendOption, resolveThreads, threadsUnavailable } from '../../lib/backend/select.js';
import { thrown } from '../helpers.js';

describe('backend option', () => {
  it('parses names and lists, rejects unknown ones listing the valid ones', () => {
    expect(parseBackendOption(undefined)).toEqual({ backends: ['webgpu', 'wasm'], auto: true });
    expect(parseBackendOption('wasm')).toEqual({ backends: ['wasm'], auto: false });
    expect(parseBackendOption(['webgpu', 'wasm', 'wasm'])).toEqual({ backends: ['webgpu', 'wasm'], auto: false });
    expect(thrown(() => parseBackendOption('webgl' as never)).message).toBe('Unsupported backend "webgl". Expected one of: "auto", "wasm", "webgpu".');
    expect(thrown(() => parseBackendOption(['wasm', 'cuda'] as never)).message).toBe('Unsupported backend "cuda". Expected one of: "wasm", "webgpu".');
    expect(thrown(() => parseBackendOption([])).code).toBe('INVALID_ARGUMENT');
  });

  it("orders 'auto' by adapter, operators and size", () => {
    expect(orderAuto({ webgpu: false, webgpuReason: 'none', usesMlOps: false, bytes: 5e6 })).toEqual({ order: ['wasm'], skipped: { webgpu: 'none' } });
    expect(orderAuto({ webgpu: true, usesMlOps: true, bytes: 5e6 }).order).toEqual(['wasm']);
    expect(orderAuto({ webgpu: true, usesMlOps: false, bytes: 1000 }).order).toEqual(['wasm']);
    expect(orderAuto({ webgpu: true, usesMlOps: false, bytes: 5e6 }).order).toEqual(['webgpu', 'wasm']);
    const fallback = orderAuto({ webgpu: true, webgpuFallback: true, webgpuAdapter: 'google swiftshader', usesMlOps: false, bytes: 5e6 });
    expect(fallback.order).toEqual(['wasm']);
    expect(fallback.skipped.webgpu).toMatch(/google swiftshader.*software fallback/);
  });

  it('resolves threads', () => {
    const on = (cores: number) => ({ isolated: true, sharedMemory: true, cores });
    // One core stays for the page: 2 cores → 1 thread, 4 → 3, never more than 4 nor less than 1.
    expect(resolveThreads('auto', on(1))).toEqual({ threads: 1 });
    expect(resolveThreads('auto', on(2))).toEqual({ threads: 1 });
    expect(resolveThreads('auto', on(4))).toEqual({ threads: 3 });
    expect(resolveThreads('auto', on(16))).toEqual({ threads: 4 });
    expect(resolveThreads(3, on(16))).toEqual({ threads: 3 });
    expect(thrown(() => resolveThreads(1.5, on(2))).message).toMatch(/"threads" is 1.5/);
    expect(thrown(() => resolveThreads(0, { isolated: false, sharedMemory: false, cores: 2 })).code).toBe('INVALID_ARGUMENT');
  });

  it('gives 1 thread and the reason where threads cannot run', () => {
    const notIsolated = resolveThreads('auto', { isolated: false, sharedMemory: true, cores: 16 });
    expect(notIsolated.threads).toBe(1);
    expect(notIsolated.reason).toMatch(/not cross-origin isolated/);
    expect(resolveThreads(3, { isolated: false, sharedMemory: false, cores: 16 }).threads).toBe(1);
    // WebKitGTK: isolated, yet no SharedArrayBuffer (and hardwareConcurrency says 4 on 2 cores).
    const noSab = resolveThreads('auto', { isolated: true, sharedMemory: false, cores: 4 });
    expect(noSab).toEqual({ threads: 1, reason: 'this browser has no SharedArrayBuffer, although the page is cross-origin isolated' });
    expect(threadsUnavailable({ isolated: true, sharedMemory: true, cores: 1 })).toBeUndefined();
  });
});
