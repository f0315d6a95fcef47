/** Hash routing (`#/models`): one app shell, any static host, no server rewrites needed. */

export const PAGES = [
  { id: 'predict', title: 'Predict' },
  { id: 'batch', title: 'Batch' },
  { id: 'models', title: 'Models' },
  { id: 'device', title: 'Device' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export interface Route {
  page: PageId;
  params: URLSearchParams;
}

const DEFAULT_PAGE: PageId = 'predict';

/** `#/models?x=1` → { page: 'models', params }; anything else → the Predict page. */
export function parseRoute(hash: string): Route {
  const m = /^#\/([a-z]+)(?:\?(.*))?$/.exec(hash);
  const id = m?.[1];
  const page = PAGES.find((p) => p.id === id)?.id ?? DEFAULT_PAGE;
  return { page, params: new URLSearchParams(m?.[2] ?? '') };
}

export function href(page: PageId, params?: Record<string, string>): string {
  const query = params ? new URLSearchParams(params).toString() : '';
  return `#/${page}${query ? `?${query}` : ''}`;
}

/** True for hashes the router owns (`#/…` or none); other fragments are in-page anchors. */
export function isRouteHash(hash: string): boolean {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}
