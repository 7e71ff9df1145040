import { describe, expect, it } from 'vitest';
import { newDeviceId } from './identity.js';

describe('device ids', () => {
  it('never start with "-" (they are printed inside commands)', () => {
    // 0xf8 encodes to a leading "-" in base64url: the first draw must be refused.
    const draws = [Buffer.alloc(12, 0xf8), Buffer.alloc(12, 0x41)];
    const id = newDeviceId(() => draws.shift() as Buffer);
    expect(Buffer.alloc(12, 0xf8).toString('base64url')).toMatch(/^-/);
    expect(id).toBe(Buffer.alloc(12, 0x41).toString('base64url'));
    for (let i = 0; i < 2000; i++) expect(newDeviceId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/);
  });
});
