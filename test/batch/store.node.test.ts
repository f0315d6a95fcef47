/**
 * The batch job store's errors (lib/batch/store.ts `storageError`): every refusal of IndexedDB
 * becomes an MlPredictError, QUOTA_EXCEEDED for a write refused for lack of room.
 */
import { describe, expect, it } from 'vitest';
import { storageError } from '../../lib/batch/store.js';
import { MlPredictError } from '../../lib/errors.js';

describe('storageError', () => {
  it('a write refused for lack of room is QUOTA_EXCEEDED, saying what was not stored', () => {
    const err = storageError(new DOMException('The quota has been exceeded.', 'QuotaExceededError'), 'store', 'the record of batch job "x"');
    expect(err.code).toBe('QUOTA_EXCEEDED');
    expect(err.message).toBe(
      'The browser has no room left to store the record of batch job "x". Free space for this site (delete finished jobs or cached models, or ask for persistent storage), then resume.',
    );
    expect(err.details).toMatchObject({ action: 'store', cause: 'QuotaExceededError: The quota has been exceeded.' });
  });

  it('any other refusal is INTERNAL quoting the browser, and a transaction aborted without an error (null) says so', () => {
    const clone = storageError(new DOMException('#<Object> could not be cloned.', 'DataCloneError'), 'store', 'result chunk 2');
    expect(clone).toBeInstanceOf(MlPredictError);
    expect(clone.code).toBe('INTERNAL');
    expect(clone.message).toBe('IndexedDB could not store result chunk 2: DataCloneError: #<Object> could not be cloned..');
    const none = storageError(null, 'delete', 'batch job "x"');
    expect(none).toBeInstanceOf(MlPredictError);
    expect(none.message).toBe('IndexedDB could not delete batch job "x": the transaction was aborted without a reason.');
    // Reads are never "no room".
    expect(storageError(new DOMException('aborted', 'AbortError'), 'read', 'the record').code).toBe('INTERNAL');
  });

  it('an MlPredictError passes through as it is', () => {
    const own = new MlPredictError('CSV_INVALID', 'bad');
    expect(storageError(own, 'store', 'x')).toBe(own);
  });
});
