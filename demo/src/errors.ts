/** Turns any failure into something a person can read and act on. */
import { isMlPredictError, type MlPredictErrorCode } from 'ml-predict';

export interface Problem {
  /** The library's error code, when it is an ml-predict error. */
  code: MlPredictErrorCode | undefined;
  message: string;
  /** What to do about it, when we know. */
  hint: string | undefined;
}

const HINTS: Partial<Record<MlPredictErrorCode, string>> = {
  INTEGRITY_MISMATCH: 'The file does not match the registry. Nothing was stored; try again later.',
  QUOTA_EXCEEDED: 'The browser has no room left for this site. Delete a model on the Models page, or ask for persistent storage.',
  NO_BACKEND: 'This browser cannot run the model here. The Device page shows what it offers.',
  INPUT_MISMATCH: 'The values do not fit the model. Check the form.',
  INVALID_ARGUMENT: 'Check the values entered.',
  WORKER_CRASHED: 'The model runtime stopped (out of memory?). Try again; a fresh one starts.',
  CACHE_CORRUPT: 'A damaged copy on this device was removed. Try again to download it.',
};

function navigatorOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

export function describeError(error: unknown): Problem {
  if (isMlPredictError(error)) {
    const hint =
      error.code === 'FETCH_FAILED'
        ? navigatorOffline()
          ? 'You are offline and this is not on this device yet. Make the model available offline on the Models page while online.'
          : 'Check the connection and try again.'
        : HINTS[error.code];
    return { code: error.code, message: error.message, hint };
  }
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { code: 'ABORTED', message: 'Cancelled.', hint: undefined };
  }
  if (error instanceof Error) return { code: undefined, message: error.message, hint: undefined };
  return { code: undefined, message: String(error), hint: undefined };
}
