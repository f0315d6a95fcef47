/**
 * Deterministic JSON text: keys in the order the objects were built, two-space indent, and
 * arrays of numbers or short strings on one line (so a card of many statistics stays readable).
 * The model kit's cards and registry and the CLI's are written with it.
 */
function isFlat(a: readonly unknown[]): boolean {
  return a.every((v) => typeof v === 'number' || typeof v === 'boolean' || v === null || (typeof v === 'string' && v.length <= 40));
}

function write(value: unknown, indent: string): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`stableJson: ${value} is not valid JSON`);
    return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (isFlat(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function stableJson(value: unknown): string {
  return `${write(value, '')}\n`;
}
