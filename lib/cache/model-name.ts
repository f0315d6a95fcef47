/** The name a model gets from its URL when the caller gives none (messages, info, cache entries). */

/** The URL's file name, decoded, without an `.onnx` extension; `"model"` when that leaves nothing. */
export function nameFromUrl(url: string | URL): string {
  const file = new URL(String(url)).pathname.split('/').pop() ?? '';
  return decodeURIComponent(file).replace(/\.onnx$/i, '') || 'model';
}
