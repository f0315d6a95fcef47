/**
 * What differs between the engines, as the README's engine table states it: each row is checked
 * here in the engine it describes (the runner's `server.browser`), so the table cannot drift
 * from the browsers. Runs in the Chromium project without WebGPU flags, Firefox ESR and WebKitGTK.
 */
import { describe, expect, it } from 'vitest';
import { server } from 'vitest/browser';
import { probeDevice, requestPersistence, storageInfo } from '../lib/index.js';
import { probeBlobStorage } from '../lib/batch/store.js';

type Engine = 'chromium' | 'firefox' | 'webkit';
const engine = server.browser as Engine;

/** The README table, row by row. */
const TABLE: Record<Engine, { sharedMemory: boolean; webgpu: RegExp; storageApi: boolean; blobs: boolean; persistAnswers: boolean }> = {
  // WebGPU: this project runs Chromium without --enable-unsafe-webgpu (the webgpu project has it).
  chromium: { sharedMemory: true, webgpu: /navigator\.gpu|adapter/, storageApi: true, blobs: true, persistAnswers: true },
  firefox: { sharedMemory: true, webgpu: /navigator\.gpu/, storageApi: true, blobs: true, persistAnswers: false },
  webkit: { sharedMemory: false, webgpu: /navigator\.gpu|adapter/, storageApi: false, blobs: false, persistAnswers: true },
};
const row = TABLE[engine];

describe(`engine differences (${engine})`, () => {
  it('threads: SharedArrayBuffer on an isolated page, else 1 thread and the reason', async () => {
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer !== 'undefined').toBe(row.sharedMemory);
    const caps = await probeDevice();
    expect(caps.wasmThreads).toBe(row.sharedMemory);
    if (!row.sharedMemory) expect(caps.wasmThreadsReason).toBe('this browser has no SharedArrayBuffer, although the page is cross-origin isolated');
  });

  it('WebGPU: no adapter here; the probe says why', async () => {
    const caps = await probeDevice();
    expect(caps.webgpu.available).toBe(false);
    expect(caps.webgpu.reason).toMatch(row.webgpu);
  });

  it('storage estimate: navigator.storage where the engine has it; storageInfo() copes without', async () => {
    expect(typeof navigator.storage?.estimate === 'function').toBe(row.storageApi);
    const info = await storageInfo();
    expect(info.persisted).toBe(false);
    if (row.storageApi) expect(info.quota).toBeGreaterThan(0);
    else expect([info.usage, info.quota]).toEqual([undefined, undefined]);
  });

  it('Blob storage: IndexedDB stores Blobs, except in WebKit automated profiles (batch jobs then store bytes)', async () => {
    expect(await probeBlobStorage()).toBe(row.blobs);
  });

  it('persistence prompt: requestPersistence() settles within its timeout, answered or not (Firefox asks the person)', async () => {
    const started = performance.now();
    const granted = await requestPersistence({ timeoutMs: 1500 });
    const took = performance.now() - started;
    expect(typeof granted).toBe('boolean');
    if (row.persistAnswers) expect(took).toBeLessThan(1500);
    else expect([granted, took >= 1490]).toEqual([false, true]);
    expect(took).toBeLessThan(3000);
  });
});
