/** Card helpers of the build (sha256 of files, file names, the common card shape): lib/cli/naming.ts, shared with `ml-predict card|publish`. */
export { cardFile, fileEntry, modelFile, sha256Hex, withModel, type CardDraft } from '../../lib/cli/naming.js';
export { round4 } from '../../lib/cli/stats.js';
