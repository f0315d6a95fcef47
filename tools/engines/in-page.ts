/**
 * Helpers that every function given to EnginePage.evaluate/waitFor may call by name: they are
 * defined in the same expression as the call (no eval, so a page's CSP does not matter).
 * Declare them in a test with `import type {} from '../tools/engines/in-page.js'` — the
 * `declare global` below gives their types.
 */

/** Every element matching `selector`, in the document and in every shadow root under it, in tree order. */
function deepAll(selector: string, root: ParentNode = document): Element[] {
  const found: Element[] = [];
  const visit = (node: ParentNode) => {
    for (const el of Array.from(node.querySelectorAll('*'))) {
      if (el.matches(selector)) found.push(el);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  visit(root);
  return found;
}

/** The first element matching `selector` whose text matches `text` (a RegExp source, case-insensitive), across shadow roots. */
function deep(selector: string, text?: string): HTMLElement | null {
  const re = text === undefined ? undefined : new RegExp(text, 'i');
  return (deepAll(selector).find((el) => !re || re.test((el.textContent ?? '').replace(/\s+/g, ' '))) as HTMLElement | undefined) ?? null;
}

export const IN_PAGE = `const deepAll = ${deepAll.toString()}; const deep = ${deep.toString()};`;

declare global {
  /** In-page only (EnginePage.evaluate): elements matching `selector` across shadow roots. */
  function deepAll(selector: string, root?: ParentNode): Element[];
  /** In-page only (EnginePage.evaluate): the first element matching `selector` (and `text`) across shadow roots. */
  function deep(selector: string, text?: string): HTMLElement | null;
}
