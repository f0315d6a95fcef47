/** Subresource-integrity strings ('sha256-<base64>') and sha256 digests with crypto.subtle. */
import { MlPredictError, quote } from '../errors.js';

const INTEGRITY = /^sha256-([A-Za-z0-9+/]{43}=)$/;

/** What an `integrity` option must be, for messages. */
const INTEGRITY_EXPECTED =
  'the subresource-integrity form "sha256-<base64 of 32 bytes>", e.g. "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="';

/** An option rule (lib/options.ts) for `integrity`: undefined when `value` is a valid SRI sha256 string, else what was expected. */
export function integrityRule(value: unknown): string | undefined {
  return typeof value === 'string' && INTEGRITY.test(value.trim()) ? undefined : INTEGRITY_EXPECTED;
}

/** The base64 sha256 digest of an SRI string; INVALID_ARGUMENT for any other form. */
export function parseIntegrity(integrity: string): string {
  const m = INTEGRITY.exec(typeof integrity === 'string' ? integrity.trim() : '');
  if (!m) throw new MlPredictError('INVALID_ARGUMENT', `Option "integrity" is ${quote(integrity)}. Expected ${INTEGRITY_EXPECTED}.`);
  return m[1]!;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function hexToBase64(hex: string): string {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return toBase64(out);
}

export function base64ToHex(base64: string): string {
  return Array.from(atob(base64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** sha256 of the bytes, base64 (the SRI payload). Bytes on a SharedArrayBuffer (which crypto.subtle refuses) are hashed from a copy. */
export async function sha256Base64(bytes: Uint8Array): Promise<string> {
  const own = bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', own as Uint8Array<ArrayBuffer>);
  return toBase64(new Uint8Array(digest));
}

export function toIntegrity(sha256b64: string): string {
  return `sha256-${sha256b64}`;
}
