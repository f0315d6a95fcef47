/** Deterministic JSON text for cards and the registry: lib/cli/json.ts, shared with the CLI. */
export { stableJson } from '../../lib/cli/json.js';
