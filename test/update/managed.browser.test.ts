/**
 * Models as data, against a local server whose registry the test changes: update check (ETag),
 * verified + warmed background updates, atomic swap, bad versions never served, rollback without
 * a request, persistence across reloads, offline, and shadow evaluation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearCache } from '../../lib/index.js';
import { openManagedModel, type ManagedModel, type ModelCard } from '../../lib/registry.js';
import { setIdleTimeout } from '../../lib/worker/host.js';
import { putFile, requestCount, trackRuntimeWorkers, type RuntimeWorkers } from '../helpers.js';

let v1: { bytes: Uint8Array; card: ModelCard };
let v2: { bytes: Uint8Array; card: ModelCard };

async function hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function real(version: string) {
  const bytes = new Uint8Array(await (await fetch(`/models/sentiment-logreg-${version}.onnx`)).arrayBuffer());
  const card = (await (await fetch(`/models/sentiment-logreg-${version}.card.json`)).json()) as ModelCard;
  return { bytes, card };
}

// Every runtime worker this file starts, and which have ended: a model left loaded keeps its worker alive.
let workers: RuntimeWorkers;

beforeAll(async () => {
  workers = trackRuntimeWorkers();
  [v1, v2] = await Promise.all([real('1.0.0'), real('1.1.0')]);
  await clearCache();
});
afterAll(() => {
  workers.restore();
  setIdleTimeout(2000);
});

interface Published {
  version: string;
  bytes: Uint8Array;
  card: ModelCard;
  /** Registry sha256 override (to publish a wrong one). */
  sha256?: string;
  /** Served bytes override (to publish corrupt ones). */
  served?: Uint8Array;
}

let dirs = 0;
/** A registry directory on the test server; `publish` (re)writes registry.json with these versions and aliases. */
async function site() {
  const dir = `reg-${Date.now().toString(36)}-${++dirs}`;
  const base = new URL(`/__test/files/${dir}/`, location.href).href;
  return {
    dir,
    url: `${base}registry.json`,
    async publish(versions: Published[], aliases: Record<string, string>) {
      const entries: Record<string, unknown> = {};
      for (const p of versions) {
        const card = { ...p.card, version: p.version, name: 'sentiment', model: { file: `m-${p.version}.onnx`, sha256: await hex(p.bytes), bytes: p.bytes.length } };
        await putFile(`${dir}/m-${p.version}.onnx`, p.served ?? p.bytes);
        await putFile(`${dir}/m-${p.version}.card.json`, JSON.stringify(card), 'application/json');
        entries[p.version] = { url: `m-${p.version}.onnx`, card: `m-${p.version}.card.json`, sha256: p.sha256 ?? (await hex(p.bytes)), bytes: p.bytes.length };
      }
      const doc = { default: 'sentiment', models: { sentiment: { title: 'Sentiment', task: 'text-classification', description: 'test', aliases, versions: entries } } };
      await putFile(`${dir}/registry.json`, JSON.stringify(doc), 'application/json');
    },
    count: (file: string) => requestCount(`${dir}/${file}`),
    down: (file: string) => fetch(`/__test/down/${dir}/${file}`, { method: 'POST' }),
    up: (file: string) => fetch(`/__test/up/${dir}/${file}`, { method: 'POST' }),
  };
}

const text = (t: string) => ({ tokens: { data: t.toLowerCase().match(/[a-z']+/g)!, dims: [1, t.toLowerCase().match(/[a-z']+/g)!.length] } });
const sentences = Array.from({ length: 40 }, (_, i) =>
  [`a wonderful film and a moving story ${i}`, `boring plot, awful acting ${i}`, `not bad at all, quite good ${i}`, `the worst movie ever made ${i}`][i % 4]!,
);

function event<T>(target: EventTarget, type: string): Promise<T> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve((e as CustomEvent<T>).detail), { once: true }));
}

describe('models as data', () => {
  it('moving stable to v2: downloaded, verified, warmed, updateavailable; v1 answers before applyUpdate, v2 after; 200 in-flight calls each answered by one version', async () => {
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '1.0.0' });
    const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm' });
    expect(m.version).toBe('1.0.0');
    expect(await m.checkForUpdate()).toEqual({ status: 'unchanged', version: '1.0.0' });

    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '2.0.0' });
    const available = event<{ version: string }>(m, 'updateavailable');
    const check = await m.checkForUpdate();
    expect(check).toEqual({ status: 'ready', version: '2.0.0' });
    expect((await available).version).toBe('2.0.0');
    expect(await s.count('m-2.0.0.onnx')).toBe(1);
    expect((await m.predict(text(sentences[0]!))).version).toBe('1.0.0');

    // Reference answers of each version, to check that no call is split across versions.
    const reference = async (version: string, t: string) => {
      const r = await m.predict(text(t));
      expect(r.version).toBe(version);
      return Array.from(r.outputs.probabilities!.data as Float32Array);
    };
    const before = await Promise.all(sentences.map((t) => reference('1.0.0', t)));
    const calls: Promise<{ version: string; p: number[]; i: number }>[] = [];
    for (let i = 0; i < 200; i++) {
      if (i === 100) void m.applyUpdate();
      const t = sentences[i % sentences.length]!;
      calls.push(m.predict(text(t)).then((r) => ({ version: r.version, p: Array.from(r.outputs.probabilities!.data as Float32Array), i })));
    }
    const results = await Promise.all(calls);
    expect(m.version).toBe('2.0.0');
    const after = await Promise.all(sentences.map((t) => reference('2.0.0', t)));
    const versions = new Set(results.map((r) => r.version));
    expect([...versions].sort()).toEqual(['1.0.0', '2.0.0']);
    for (const r of results) {
      const expected = (r.version === '1.0.0' ? before : after)[r.i % sentences.length];
      expect(r.p).toEqual(expected);
    }
    expect(results.slice(0, 100).every((r) => r.version === '1.0.0')).toBe(true);
    expect(results.slice(100).every((r) => r.version === '2.0.0')).toBe(true);
    expect(m.versions).toMatchObject({ active: '2.0.0', lastGood: '1.0.0' });
    await m.dispose();
  });

  it('a v2 with a wrong sha256, corrupt bytes or a failing warm-up never becomes active; v1 keeps serving; the reason has its code', async () => {
    const cases: [string, Partial<Published>, string][] = [
      ['wrong sha256', { sha256: 'ab'.repeat(32) }, 'CARD_INVALID'],
      ['corrupt bytes', { served: (() => { const b = v2.bytes.slice(); b[100] = b[100]! ^ 0xff; return b; })() }, 'INTEGRITY_MISMATCH'],
      ['failing warm-up', { card: { ...v2.card, input: { ...(v2.card.input as object), tensor: 'words' } } as ModelCard }, 'INPUT_MISMATCH'],
    ];
    for (const [what, override, code] of cases) {
      const s = await site();
      await s.publish([{ version: '1.0.0', ...v1 }], { stable: '1.0.0' });
      const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'auto' });
      await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2, ...override }], { stable: '2.0.0' });
      const failed = event<{ code: string }>(m, 'updatefailed');
      const check = await m.checkForUpdate();
      expect(check.status, what).toBe('failed');
      expect(check.code, `${what}: ${check.reason}`).toBe(code);
      expect((await failed).code).toBe(code);
      expect(m.version).toBe('1.0.0');
      expect((await m.predict(text('great film'))).version).toBe('1.0.0');
      expect(m.versions.bad['2.0.0']?.code).toBe(code);
      // Not retried until the registry changes.
      const modelRequests = await s.count('m-2.0.0.onnx');
      expect(await m.checkForUpdate()).toMatchObject({ status: 'known-bad', version: '2.0.0', code });
      expect(await s.count('m-2.0.0.onnx')).toBe(modelRequests);
      await m.dispose();
    }
  });

  it('rollback() returns to v1 at once without a request; a reload keeps the active version, offline too', async () => {
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '1.0.0' });
    const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'auto' });
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '2.0.0' });
    expect(await m.checkForUpdate()).toEqual({ status: 'applied', version: '2.0.0' });
    expect(m.version).toBe('2.0.0');

    // A reload (a new handle on the same registry) keeps 2.0.0, also with the network off.
    await s.down('registry.json');
    const reloaded = await openManagedModel(s.url, 'sentiment', { backend: 'wasm' });
    expect(reloaded.version).toBe('2.0.0');
    expect((await reloaded.predict(text('a moving story'))).version).toBe('2.0.0');
    await reloaded.dispose();

    const counts = async () => Promise.all(['registry.json', 'm-1.0.0.onnx', 'm-2.0.0.onnx', 'm-1.0.0.card.json'].map((f) => s.count(f)));
    const before = await counts();
    expect(await m.rollback()).toBe('1.0.0');
    expect(m.version).toBe('1.0.0');
    expect((await m.predict(text('a moving story'))).version).toBe('1.0.0');
    expect(await counts()).toEqual(before);
    expect(m.versions.bad['2.0.0']?.code).toBe('ROLLED_BACK');
    await m.dispose();

    const again = await openManagedModel(s.url, 'sentiment', { backend: 'wasm' });
    expect(again.version).toBe('1.0.0');
    await again.dispose();
    await s.up('registry.json');
  });

  it('an update check while offline reports offline and changes nothing', async () => {
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '1.0.0' });
    const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'auto' });
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '2.0.0' });
    await s.down('registry.json');
    const state = m.versions;
    expect(await m.checkForUpdate()).toEqual({ status: 'offline' });
    expect(m.versions).toEqual(state);
    expect(await s.count('m-2.0.0.onnx')).toBe(0);
    expect((await m.predict(text('fine'))).version).toBe('1.0.0');
    await s.up('registry.json');
    await m.dispose();
  });

  it('shadow: a candidate identical in behaviour is promoted after N inputs; one with flipped labels is not, with agreement near 0', async () => {
    const flipped = { ...v1.card, outputs: { ...v1.card.outputs, labels: ['positive', 'negative'] } } as ModelCard;
    for (const [candidate, promoted] of [[v1.card, true], [flipped, false]] as const) {
      const s = await site();
      await s.publish([{ version: '1.0.0', ...v1 }], { stable: '1.0.0' });
      const m: ManagedModel = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'shadow', shadow: { minInputs: 30 } });
      // Same bytes, another version: identical behaviour, or the same scores with the labels swapped.
      await s.publish([{ version: '1.0.0', ...v1 }, { version: '1.0.1', bytes: v1.bytes, card: candidate }], { stable: '1.0.0', candidate: '1.0.1' });
      expect(await m.checkForUpdate()).toEqual({ status: 'shadowing', version: '1.0.1' });
      const decided = event<{ decision: string; agreement: number; inputs: number }>(m, 'shadowreport');
      for (let i = 0; i < 30; i++) {
        const r = await m.predict(text(sentences[i % sentences.length]!));
        expect(r.version).toBe('1.0.0'); // the candidate's outputs are never returned
      }
      const report = await decided;
      expect(report.inputs).toBe(30);
      if (promoted) {
        expect(report).toMatchObject({ decision: 'promote', agreement: 1 });
        await expect.poll(() => m.version).toBe('1.0.1');
      } else {
        expect(report.decision).toBe('reject');
        expect(report.agreement).toBeLessThan(0.1);
        expect(m.version).toBe('1.0.0');
        expect(m.versions.bad['1.0.1']?.code).toBe('SHADOW_REJECTED');
      }
      await m.dispose();
    }
  });

  it('dispose() during checkForUpdate(): the check rejects DISPOSED and the version it loaded is disposed (no session, no worker left)', async () => {
    setIdleTimeout(50);
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }], { stable: '1.0.0' });
    const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm' });
    expect(workers.live()).toBeGreaterThan(0);
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '2.0.0', ...v2 }], { stable: '2.0.0' });
    const check = m.checkForUpdate();
    await m.dispose();
    await expect(check).rejects.toMatchObject({ code: 'DISPOSED' });
    // The update was downloaded and loaded after dispose(); once it is disposed too, no session holds the worker.
    expect(await s.count('m-2.0.0.onnx')).toBe(1);
    await expect.poll(() => workers.live(), { timeout: 5000 }).toBe(0);
  });

  it('dispose() while a shadow comparison is in flight: the candidate is neither promoted nor recorded as bad', async () => {
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }], { stable: '1.0.0' });
    const m = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'shadow', shadow: { minInputs: 1 } });
    await s.publish([{ version: '1.0.0', ...v1 }, { version: '1.0.1', ...v1 }], { stable: '1.0.0', candidate: '1.0.1' });
    expect(await m.checkForUpdate()).toEqual({ status: 'shadowing', version: '1.0.1' });
    const events: string[] = [];
    for (const type of ['shadowreport', 'updateapplied']) m.addEventListener(type, () => events.push(type));
    // The candidate's prediction of this input is still running when dispose() ends it.
    expect((await m.predict(text(sentences[0]!))).version).toBe('1.0.0');
    await m.dispose();
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);
    const reopened = await openManagedModel(s.url, 'sentiment', { backend: 'wasm', policy: 'shadow' });
    expect(reopened.versions).toMatchObject({ active: '1.0.0', bad: {} });
    await reopened.dispose();
  });

  it('an unknown model name lists the names there are; a bad option lists the valid ones', async () => {
    const s = await site();
    await s.publish([{ version: '1.0.0', ...v1 }], { stable: '1.0.0' });
    await expect(openManagedModel(s.url, 'sentimnet')).rejects.toMatchObject({ code: 'UNKNOWN_MODEL', message: expect.stringContaining('"sentiment"') });
    await expect(openManagedModel(s.url, 'sentiment', { policy: 'sometimes' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Option "policy" of openManagedModel() is "sometimes". Expected one of: "prompt", "auto", "shadow".',
    });
    await expect(openManagedModel(s.url, 'sentiment', { shadow: { rate: 0.5 } as never })).rejects.toMatchObject({
      message: 'Unknown option "rate" for openManagedModel() option "shadow". Expected one of: "sampleRate", "threshold", "minInputs".',
    });
  });
});
