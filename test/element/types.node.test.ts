/** Type-level checks of the element's public types (checked by tsc; the test only has to compile and run). */
import { describe, expectTypeOf, it } from 'vitest';
import type { MlPredict } from '../../lib/element/ml-predict.js';
import type { MlPredictErrorCode } from '../../lib/errors.js';
import type { LoadPhase, Model } from '../../lib/types.js';
import type { MlPredictResult, MlPredictStatus } from '../../lib/element/events.js';
import type * as Package from '../../lib/element/define.js';

// Never called: only its types matter.
function usage(el: MlPredict, any: HTMLElement) {
  expectTypeOf(document.createElement('ml-predict')).toEqualTypeOf<MlPredict>();
  expectTypeOf(document.querySelector('ml-predict')).toEqualTypeOf<MlPredict | null>();
  el.addEventListener('progress', (e) => {
    expectTypeOf(e.detail.phase).toEqualTypeOf<LoadPhase>();
    expectTypeOf(e.detail.total).toEqualTypeOf<number | undefined>();
  });
  el.addEventListener('load', (e) => expectTypeOf(e.detail.model).toEqualTypeOf<Model>());
  el.addEventListener('error', (e) => {
    expectTypeOf(e.detail.code).toEqualTypeOf<MlPredictErrorCode>();
    expectTypeOf(e.detail.during).toEqualTypeOf<'load' | 'predict'>();
  });
  el.addEventListener('prediction', (e) => {
    expectTypeOf(e.detail).toEqualTypeOf<MlPredictResult>();
    if (e.detail.kind === 'classification') expectTypeOf(e.detail.probabilities).toEqualTypeOf<Record<string, number>>();
    if (e.detail.kind === 'regression') expectTypeOf(e.detail.unit).toEqualTypeOf<string | undefined>();
  });
  // Other DOM events keep their types.
  el.addEventListener('click', (e) => expectTypeOf(e).toExtend<MouseEvent>());
  // `prediction` bubbles, so any element's listener is typed too.
  any.addEventListener('prediction', (e) => expectTypeOf(e.detail).toEqualTypeOf<MlPredictResult>());
  expectTypeOf(el.status).toEqualTypeOf<MlPredictStatus>();
  expectTypeOf(el.model).toEqualTypeOf<Model | undefined>();
  expectTypeOf(el.loading).toEqualTypeOf<'eager' | 'lazy'>();
  // @ts-expect-error read-only
  el.status = 'ready';
  // @ts-expect-error read-only
  el.model = undefined;
}

describe('element types', () => {
  it('compile', () => {
    expectTypeOf(usage).toBeFunction();
    expectTypeOf<Package.MlPredictResult>().toEqualTypeOf<MlPredictResult>();
    expectTypeOf<Package.MlPredictStatus>().toEqualTypeOf<MlPredictStatus>();
  });
});
