import { describe, expect, it } from 'vitest';
import { parseIntegrity, sha256Base64 } from '../../lib/model/integrity.js';
import { thrown } from '../helpers.js';

describe('integrity', () => {
  it('parses SRI sha256 and rejects other forms', async () => {
    const digest = await sha256Base64(new TextEncoder().encode('abc'));
    expect(digest).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(parseIntegrity(`sha256-${digest}`)).toBe(digest);
    expect(thrown(() => parseIntegrity('sha512-abc')).code).toBe('INVALID_ARGUMENT');
  });
});
