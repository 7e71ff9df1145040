import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

const nodeSha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('sha256Hex', () => {
  it('gives the standard digests (FIPS 180-4 examples)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it("equals node:crypto's digest of the same string at every padding boundary and with any characters", () => {
    const samples = ['-5 °C in the garden', 'Rosa 🌹 a lu « Les Misérables »', 'lone \ud800 surrogate', '\u0000'];
    for (let n = 0; n <= 200; n++) samples.push('x'.repeat(n), 'é'.repeat(n));
    for (let i = 0; i < 200; i++) samples.push(randomBytes(1 + (i % 97)).toString('latin1'));
    samples.push('a long memory '.repeat(2_000));
    for (const s of samples) expect(sha256Hex(s), JSON.stringify(s.slice(0, 40))).toBe(nodeSha(s));
  });
});
