/**
 * Storage faults of the model store: a clear or a database deletion during a download, a
 * deletion blocked by another connection, and bytes that are not a loadable model. The store is
 * audited after each storage fault, and a known-good model still loads and predicts right.
 * Every await is bounded (within()): no fault may hang a test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearCache, listCachedModels, loadModel, prefetchModel, storageInfo, type LoadWarning, type Model } from '../../lib/index.js';
import { cacheKey } from '../../lib/cache/model-cache.js';
import { CHUNK_BYTES } from '../../lib/cache/store.js';
import { sha256Base64 } from '../../lib/model/integrity.js';
import { runtimeWorker } from '../../lib/worker/host.js';
import { writeModel } from '../../tools/onnx/writer.js';
import { inputRows, largeModel, sigmoidModel } from '../fixtures/models.js';
import { putFile, rejection, requestCount, uniqueName } from '../helpers.js';
import { auditStore, within } from './audit.js';

const LOAD_MS = 30_000;
const STORE_MS = 10_000;

beforeEach(() => within(STORE_MS, clearCache(), 'clearCache()'));

const opened: IDBDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function serve(bytes: Uint8Array, base = 'fault') {
  const name = uniqueName(base);
  return { name, url: await putFile(name, bytes) };
}

const x1000 = { x: { data: new Float32Array(1000).fill(0.25), dims: [1, 1000] } };

/** What a model given as bytes (no store involved) predicts for `feeds`. */
async function reference(bytes: Uint8Array, feeds: Parameters<Model['predict']>[0]) {
  const model = await within(LOAD_MS, loadModel(bytes, { backend: 'wasm' }), 'the reference load');
  try {
    return await within(LOAD_MS, model.predict(feeds), 'the reference predict');
  } finally {
    await model.dispose();
  }
}

/** A known-good model loads through the store (stored on its first load) and predicts right. */
async function knownGoodStillWorks(): Promise<void> {
  const bytes = sigmoidModel();
  const { url } = await serve(bytes, 'good');
  const feeds = { x: inputRows(3, 4) };
  const expected = await reference(bytes, feeds);
  const model = await within(LOAD_MS, loadModel(url, { backend: 'wasm' }), 'the known-good load');
  expect(model.info.cached).toBe(true);
  expect((await within(LOAD_MS, model.predict(feeds))).y!.data).toEqual(expected.y!.data);
  await model.dispose();
  expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
}

/** Settles when a deletion request succeeds; records whether it was blocked first. */
function deletion(): { blocked: Promise<void>; done: Promise<void>; wasBlocked: () => boolean } {
  const r = indexedDB.deleteDatabase('ml-predict');
  let wasBlocked = false;
  let finished = false;
  // Firefox may hold the deletion without firing `blocked`: after 3 s pending it counts as blocked.
  const blocked = new Promise<void>((resolve) => {
    r.onblocked = () => ((wasBlocked = true), resolve());
    // A deletion that finished was not blocked: `blocked` then never settles (a waiting test times out).
    setTimeout(() => finished || ((wasBlocked = true), resolve()), 3000);
  });
  const done = new Promise<void>((resolve, reject) => {
    r.onsuccess = () => ((finished = true), resolve());
    r.onerror = () => reject(r.error);
  });
  return { blocked, done, wasBlocked: () => wasBlocked };
}

/** Starts a slow load of a 10.8 MB model and resolves once about 6 MiB (chunk 0 stored, chunk 1 under way) arrived. */
function slowLoad(url: string, onWarning?: (w: LoadWarning) => void) {
  let reached!: () => void;
  const midway = new Promise<void>((resolve) => (reached = resolve));
  // slow=20: 64 KiB every 20 ms, about 3.4 s for the whole file.
  const load = loadModel(`${url}?slow=20`, {
    backend: 'wasm',
    onWarning,
    onProgress: (p) => p.phase === 'download' && p.loaded >= 6 * 1024 * 1024 && reached(),
  });
  load.catch(() => undefined);
  return { load, midway: within(LOAD_MS, midway, 'the download reaching 6 MiB') };
}

describe('model store under storage faults', () => {
  it('a clearCache() during a download leaves no entry, chunk or partial; that load still predicts, from memory', async () => {
    const bytes = largeModel(2700); // 10.8 MB: 3 chunks
    expect(Math.ceil(bytes.length / CHUNK_BYTES)).toBe(3);
    const { url } = await serve(bytes);
    const { load, midway } = slowLoad(url);
    await midway;
    await within(STORE_MS, clearCache(), 'clearCache() during the download');
    const model = await within(LOAD_MS, load, 'the load the clear landed in');
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    expect([model.info.fromCache, model.info.cached]).toEqual([false, false]);
    expect(model.info.cacheReason).toMatch(/cleared/);
    expect((await within(LOAD_MS, model.predict(x1000))).y!.data).toEqual((await reference(bytes, x1000)).y!.data);
    await model.dispose();
    expect(await within(STORE_MS, listCachedModels())).toEqual([]);
    expect((await within(STORE_MS, storageInfo())).partialBytes).toBe(0);
    await knownGoodStillWorks();
  });

  it('deleteDatabase() during a download is not blocked by the worker; that load and a later one settle and predict', async () => {
    const bytes = largeModel(2700);
    const { name, url } = await serve(bytes);
    const { load, midway } = slowLoad(url);
    await midway;
    const del = deletion();
    await within(STORE_MS, del.done, 'deleteDatabase() during the download');
    const model = await within(LOAD_MS, load, 'the load the deletion landed in');
    expect(model.info.cached).toBe(false); // its records went with the database: it ran from memory
    expect((await within(LOAD_MS, model.predict(x1000))).y!.dims).toEqual([1, 2700]);
    await model.dispose();
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    const later = await within(LOAD_MS, loadModel(url, { backend: 'wasm' }), 'a load after the deletion');
    expect([later.info.fromCache, later.info.cached]).toEqual([false, true]);
    expect(await requestCount(name)).toBe(2);
    expect((await within(LOAD_MS, later.predict(x1000))).y!.data).toEqual((await reference(bytes, x1000)).y!.data);
    await later.dispose();
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    await knownGoodStillWorks();
  });

  it('a deletion blocked by another connection never holds up a load: a new worker predicts from memory with CACHE_UNAVAILABLE', async () => {
    const bytes = sigmoidModel();
    const { url } = await serve(bytes);
    await (await within(LOAD_MS, loadModel(url, { backend: 'wasm' }))).dispose(); // the worker has a connection open
    // Another context's connection that ignores versionchange (an old tab, an app's own code).
    const other = indexedDB.open('ml-predict');
    const db = await within(STORE_MS, new Promise<IDBDatabase>((resolve, reject) => ((other.onsuccess = () => resolve(other.result)), (other.onerror = () => reject(other.error)))));
    opened.push(db);
    const del = deletion();
    await within(STORE_MS, del.blocked, 'the deletion being blocked');
    runtimeWorker().end(); // the next load starts a worker that has to open the database anew
    const warnings: LoadWarning[] = [];
    const model = await within(LOAD_MS, loadModel(url, { backend: 'wasm', onWarning: (w) => warnings.push(w) }), 'a load while the deletion is blocked');
    expect(warnings.map((w) => w.code)).toEqual(['CACHE_UNAVAILABLE']);
    expect(warnings[0]!.message).toMatch(/did not open within \d+ ms/);
    expect([model.info.fromCache, model.info.cached]).toEqual([false, false]);
    const feeds = { x: inputRows(2, 4) };
    expect((await within(LOAD_MS, model.predict(feeds))).y!.data).toEqual((await reference(bytes, feeds)).y!.data);
    await model.dispose();
    // What must store rejects with the documented code, within the open's bound.
    expect((await rejection(within(LOAD_MS, prefetchModel(url)))).code).toBe('CACHE_UNAVAILABLE');
    expect((await rejection(within(LOAD_MS, listCachedModels()))).code).toBe('CACHE_UNAVAILABLE');
    db.close();
    await within(STORE_MS, del.done, 'the deletion once the other connection closed');
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    await knownGoodStillWorks();
  });

  it('bytes that are not ONNX are never stored: once the URL serves the whole model, the next load fetches it', async () => {
    const good = largeModel(300);
    const truncated = good.slice(0, 700_000);
    const { name, url } = await serve(truncated);
    // Served whole as it is (with or without a length): nothing tells the download it is short.
    const err = await rejection(within(LOAD_MS, loadModel(`${url}?nolength=1`, { backend: 'wasm' })));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toMatch(/truncated/);
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    expect(await within(STORE_MS, listCachedModels())).toEqual([]);
    expect((await within(STORE_MS, storageInfo())).partialBytes).toBe(0);
    await putFile(name, good); // the server is fixed (this also sets its request count to 0)
    const model = await within(LOAD_MS, loadModel(`${url}?nolength=1`, { backend: 'wasm' }), 'the load after the fix');
    expect(await requestCount(name)).toBe(1);
    expect(model.info.cached).toBe(true);
    expect((await within(LOAD_MS, model.predict(x1000))).y!.data).toEqual((await reference(good, x1000)).y!.data);
    await model.dispose();
    await knownGoodStillWorks();
  });

  it('a stored entry whose bytes are not ONNX is deleted (CACHE_CORRUPT) and fetched again', async () => {
    const good = sigmoidModel();
    const { name, url } = await serve(good);
    // An entry as an older version stored it: consistent (its sha256 matches) but truncated.
    const bad = good.slice(0, good.length - 20);
    const key = cacheKey(url);
    const now = Date.now();
    const entry = { key, url, name: 'x', sha256: await sha256Base64(bad), bytes: bad.length, chunks: 1, storedAt: now, lastUsedAt: now };
    const open = indexedDB.open('ml-predict');
    const db = await within(STORE_MS, new Promise<IDBDatabase>((resolve, reject) => ((open.onsuccess = () => resolve(open.result)), (open.onerror = () => reject(open.error)))));
    opened.push(db);
    const tx = db.transaction('models', 'readwrite');
    tx.objectStore('models').put(bad, ['c', key, 0]);
    tx.objectStore('models').put(entry, ['e', key]);
    await within(STORE_MS, new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error)))));
    db.close();
    expect(await within(STORE_MS, auditStore())).toEqual([]); // the store itself is consistent
    const warnings: LoadWarning[] = [];
    const model = await within(LOAD_MS, loadModel(url, { backend: 'wasm', onWarning: (w) => warnings.push(w) }));
    expect(warnings.map((w) => w.code)).toEqual(['CACHE_CORRUPT']);
    expect(warnings[0]!.message).toMatch(/not a valid ONNX model/);
    expect([model.info.fromCache, model.info.repaired]).toEqual([false, true]);
    expect(await requestCount(name)).toBe(1);
    const feeds = { x: inputRows(2, 4) };
    expect((await within(LOAD_MS, model.predict(feeds))).y!.data).toEqual((await reference(good, feeds)).y!.data);
    await model.dispose();
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    await knownGoodStillWorks();
  });

  it('a stored model onnxruntime refuses (MODEL_INVALID) is dropped: once the URL serves a good one, the next load fetches it', async () => {
    // Well-formed ONNX whose Add reads a value nothing defines: onnxruntime refuses the graph.
    const refused = writeModel({
      graph: {
        name: 'refused',
        inputs: [{ name: 'x', type: { tensor: 'float', shape: ['batch', 4] } }],
        outputs: [{ name: 'y', type: { tensor: 'float', shape: ['batch', 4] } }],
        initializers: [],
        nodes: [{ op: 'Add', inputs: ['x', 'nowhere'], outputs: ['y'] }],
      },
    });
    const { name, url } = await serve(refused);
    const err = await rejection(within(LOAD_MS, loadModel(url, { backend: 'wasm' })));
    expect(err.code).toBe('MODEL_INVALID');
    expect(await within(STORE_MS, listCachedModels())).toEqual([]);
    expect(await within(STORE_MS, auditStore(), 'the audit')).toEqual([]);
    const good = sigmoidModel();
    await putFile(name, good);
    const model = await within(LOAD_MS, loadModel(url, { backend: 'wasm' }), 'the load after the fix');
    expect(await requestCount(name)).toBe(1);
    const feeds = { x: inputRows(2, 4) };
    expect((await within(LOAD_MS, model.predict(feeds))).y!.data).toEqual((await reference(good, feeds)).y!.data);
    await model.dispose();
    await knownGoodStillWorks();
  });
});
