// @ts-check
/**
 * Draws the demo PWA's icons and writes them under public/icons/: PNGs (192 and 512, "any" and
 * "maskable", plus a 180 px apple-touch-icon) and an SVG favicon. Pure Node: a tiny rasteriser
 * (signed distances, 4×4 supersampling) and a PNG encoder over node:zlib. Deterministic output:
 * run it again and the files do not change.
 *
 *   node tools/icons/make-icons.mjs [outDir]
 *
 * The motif is the demo's own output: three probability bars, the longest highlighted.
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = resolve(process.argv[2] ?? join(root, 'public/icons'));

/** Colours (also the manifest's theme and background colours). */
export const THEME = { dark: '#1e1b4b', light: '#4f46e5', accent: '#5eead4', bar: '#ffffff' };

// ---- PNG encoding --------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Uint8Array} data */
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes 8-bit RGBA pixels (row-major) as a PNG file. @param {number} w @param {number} h @param {Uint8Array} rgba */
export function encodePng(w, h, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * w * 4, w * 4).copy(raw, y * (w * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

// ---- drawing ----------------------------------------------------------------------------------

/** @param {string} hex @returns {[number, number, number]} */
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Signed distance to a rounded rectangle (negative inside). */
function sdRoundRect(/** @type {number} */ px, /** @type {number} */ py, /** @type {number} */ x0, /** @type {number} */ y0, /** @type {number} */ x1, /** @type {number} */ y1, /** @type {number} */ r) {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hx = (x1 - x0) / 2 - r;
  const hy = (y1 - y0) / 2 - r;
  const qx = Math.abs(px - cx) - hx;
  const qy = Math.abs(py - cy) - hy;
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  return Math.hypot(ox, oy) + Math.min(Math.max(qx, qy), 0) - r;
}

/**
 * The icon as a scene in unit coordinates (0..1): a background shape and three bars.
 * @param {'any' | 'maskable' | 'full'} kind  any: rounded square on transparent; maskable/full: full bleed.
 */
function scene(kind) {
  // Maskable icons must keep their content inside the central circle of radius 0.4 (the safe zone).
  const content = kind === 'any' ? { x0: 0.22, x1: 0.78, y0: 0.27, y1: 0.73 } : { x0: 0.29, x1: 0.71, y0: 0.32, y1: 0.68 };
  const bw = content.x1 - content.x0;
  const bh = (content.y1 - content.y0) / 5; // 3 bars and 2 gaps of equal height
  const bars = [
    { len: 1.0, colour: THEME.accent, alpha: 1 },
    { len: 0.62, colour: THEME.bar, alpha: 0.9 },
    { len: 0.34, colour: THEME.bar, alpha: 0.6 },
  ].map((b, i) => ({
    ...b,
    x0: content.x0,
    x1: content.x0 + bw * b.len,
    y0: content.y0 + i * 2 * bh,
    y1: content.y0 + i * 2 * bh + bh,
    r: bh / 2,
  }));
  const background = kind === 'any' ? { x0: 0.04, y0: 0.04, x1: 0.96, y1: 0.96, r: 0.2 } : { x0: -1, y0: -1, x1: 2, y1: 2, r: 0 };
  return { background, bars };
}

/** Rasterises a scene to RGBA at `size` px with 4×4 supersampling. @param {number} size @param {'any' | 'maskable' | 'full'} kind */
export function drawIcon(size, kind) {
  const { background, bars } = scene(kind);
  const dark = rgb(THEME.dark);
  const light = rgb(THEME.light);
  const out = new Uint8Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size;
          const v = (y + (sy + 0.5) / S) / size;
          if (sdRoundRect(u, v, background.x0, background.y0, background.x1, background.y1, background.r) > 0) continue;
          // Diagonal gradient from light (top left) to dark (bottom right).
          const t = Math.min(1, Math.max(0, (u + v) / 2));
          let c = [0, 1, 2].map((k) => light[k] + (dark[k] - light[k]) * t);
          for (const bar of bars) {
            if (sdRoundRect(u, v, bar.x0, bar.y0, bar.x1, bar.y1, bar.r) <= 0) {
              const bc = rgb(bar.colour);
              c = c.map((ck, k) => ck + (bc[k] - ck) * bar.alpha);
            }
          }
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        // Premultiplied sums → straight alpha.
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round((a / (S * S)) * 255);
      }
    }
  }
  return out;
}

/** The same picture as an SVG (the favicon). */
export function iconSvg() {
  const { background, bars } = scene('any');
  const f = (/** @type {number} */ n) => +(n * 64).toFixed(2);
  const rects = bars
    .map((b) => `<rect x="${f(b.x0)}" y="${f(b.y0)}" width="${f(b.x1 - b.x0)}" height="${f(b.y1 - b.y0)}" rx="${f(b.r)}" fill="${b.colour}" fill-opacity="${b.alpha}"/>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${THEME.light}"/><stop offset="1" stop-color="${THEME.dark}"/></linearGradient></defs>` +
    `<rect x="${f(background.x0)}" y="${f(background.y0)}" width="${f(background.x1 - background.x0)}" height="${f(background.y1 - background.y0)}" rx="${f(background.r)}" fill="url(#g)"/>` +
    rects +
    `</svg>\n`
  );
}

/** @type {Array<[string, number, 'any' | 'maskable' | 'full']>} */
const OUTPUTS = [
  ['icon-192.png', 192, 'any'],
  ['icon-512.png', 512, 'any'],
  ['maskable-192.png', 192, 'maskable'],
  ['maskable-512.png', 512, 'maskable'],
  ['apple-touch-icon.png', 180, 'full'],
];

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(outDir, { recursive: true });
  for (const [file, size, kind] of OUTPUTS) {
    const png = encodePng(size, size, drawIcon(size, kind));
    writeFileSync(join(outDir, file), png);
    console.log(`${join(outDir, file)}  ${size}×${size} ${kind}  ${png.length} bytes`);
  }
  writeFileSync(join(outDir, 'favicon.svg'), iconSvg());
  console.log(`${join(outDir, 'favicon.svg')}`);
}
