/**
 * Registers `<ml-predict>`: the package's only module with a side effect. Importing it twice
 * (two bundles, or a page and a library) keeps the first definition instead of throwing.
 *
 * @example
 * <script type="module" src="/node_modules/ml-predict/dist/element/define.js"></script>
 * <ml-predict src="/models/iris.onnx"></ml-predict>
 */
import { MlPredict } from './ml-predict.js';

export const TAG_NAME = 'ml-predict';

if (!customElements.get('ml-predict')) customElements.define('ml-predict', MlPredict);

export { MlPredict };
export type { MlPredictInput } from './ml-predict.js';
export type * from './events.js';
