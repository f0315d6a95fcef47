import { describe, expect, it } from 'vitest';
import { orderAuto, parseBackendOption, resolveThreads } from '../../lib/backend/select.js';
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
    // One core stays for the page: 2 cores → 1 thread, 4 → 3, never more than 4 nor less than 1.
    expect(resolveThreads('auto', true, 1)).toBe(1);
    expect(resolveThreads('auto', true, 2)).toBe(1);
    expect(resolveThreads('auto', true, 4)).toBe(3);
    expect(resolveThreads('auto', true, 16)).toBe(4);
    expect(resolveThreads('auto', false, 16)).toBe(1);
    expect(resolveThreads(3, false, 16)).toBe(1);
    expect(resolveThreads(3, true, 16)).toBe(3);
    expect(thrown(() => resolveThreads(1.5, true, 2)).message).toMatch(/"threads" is 1.5/);
  });
});
