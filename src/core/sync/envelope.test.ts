/** Failure tests 6 and 12 of docs/sync.md at the envelope level: every flipped byte is rejected; fuzzed input never crashes. */
import { deflateRawSync } from 'node:zlib';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { newDeviceKeys, randomKey } from './crypto.js';
import { decodeChanges } from './changes.js';
import {
  ENVELOPE_VERSION,
  MAX_INFLATED,
  openEnvelope,
  padme,
  parseEnvelope,
  sealEnvelope,
  type BatchHeader,
} from './envelope.js';
import { seeded } from '../../testing/sync-sim/random.js';

const header: BatchHeader = {
  v: ENVELOPE_VERSION,
  vaultId: 'vault-0001',
  deviceId: 'devA',
  deviceSeq: 1,
  prevHash: '',
  keyEpoch: 0,
  hlcMin: 'a',
  hlcMax: 'b',
};

describe('envelope', () => {
  const keys = newDeviceKeys();
  const dk = randomKey();

  it('round-trips small and compressed bodies, padded to PADMÉ sizes', () => {
    for (const body of [
      '[]',
      JSON.stringify(Array.from({ length: 200 }, (_, i) => ['memory', `id${i}`, 'text', 'hello world', 'h'])),
    ]) {
      const env = sealEnvelope(header, Buffer.from(body), dk, keys.signSk);
      expect(openEnvelope(env, keys.signPk, dk).body.toString()).toBe(body);
    }
    expect(padme(1000)).toBe(1024);
    expect(padme(1025)).toBe(1088);
    expect(padme(65_000)).toBeGreaterThanOrEqual(65_000);
    expect(padme(65_000) - 65_000).toBeLessThan(65_000 * 0.13);
  });

  it('hides the exact body size: nearby sizes seal to the same length', () => {
    const a = sealEnvelope(header, Buffer.from('x'.repeat(700)), dk, keys.signSk).length;
    const b = sealEnvelope(header, Buffer.from('x'.repeat(705)), dk, keys.signSk).length;
    expect(a).toBe(b);
  });

  it('rejects an envelope with any single byte flipped', () => {
    const env = sealEnvelope(header, Buffer.from('[["limbic","limbic","trust",0.7,"h"]]'), dk, keys.signSk);
    for (let i = 0; i < env.length; i++) {
      const bad = Buffer.from(env);
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(() => openEnvelope(bad, keys.signPk, dk), `byte ${i}`).toThrow(/rejected a sync batch/);
    }
  });

  it('rejects truncation, a wrong key, a wrong signer and a header that differs from the inner one', () => {
    const env = sealEnvelope(header, Buffer.from('[]'), dk, keys.signSk);
    for (let n = 0; n < env.length; n += 7)
      expect(() => openEnvelope(env.subarray(0, n), keys.signPk, dk)).toThrow(/rejected/);
    expect(() => openEnvelope(env, keys.signPk, randomKey())).toThrow(/decryption failed/);
    expect(() => openEnvelope(env, newDeviceKeys().signPk, dk)).toThrow(/bad signature/);
    // An outer header swapped for another device's, re-signed by an attacker holding a key: the inner one differs.
    const other = newDeviceKeys();
    const p = parseEnvelope(env);
    const forgedHeader = Buffer.from(JSON.stringify({ ...header, deviceId: 'devB' }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(forgedHeader.length);
    const unsigned = Buffer.concat([Buffer.from('PGYE'), len, forgedHeader, p.nonce, p.box]);
    const forged = Buffer.concat([unsigned, nacl.sign.detached(unsigned, other.signSk)]);
    expect(() => openEnvelope(forged, other.signPk, dk)).toThrow(/inner header differs/);
  });

  it('caps decompression (a bomb is rejected, not inflated)', () => {
    // Build a validly signed, encrypted payload whose deflated body inflates past the cap.
    const bomb = deflateRawSync(Buffer.alloc(MAX_INFLATED + 1024));
    const h = Buffer.from(JSON.stringify(header));
    const hl = Buffer.alloc(4);
    hl.writeUInt32BE(h.length);
    const payload = Buffer.concat([hl, h, Buffer.from([1]), bomb]);
    const plain = Buffer.alloc(4 + payload.length);
    plain.writeUInt32BE(payload.length);
    payload.copy(plain, 4);
    const nonce = nacl.randomBytes(24);
    const unsigned = Buffer.concat([Buffer.from('PGYE'), hl, h, nonce, nacl.secretbox(plain, nonce, dk)]);
    const env = Buffer.concat([unsigned, nacl.sign.detached(unsigned, keys.signSk)]);
    expect(() => openEnvelope(env, keys.signPk, dk)).toThrow(/exceeded the cap/);
  });

  it('survives fuzzing: random and mutated inputs only ever raise a typed rejection', () => {
    const r = seeded(99);
    const env = sealEnvelope(header, Buffer.from('[["memory","m1","*",{"text":"x"},"h"]]'), dk, keys.signSk);
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(r() * 400);
      const input = i % 2 ? Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256))) : mutate(env, r);
      try {
        openEnvelope(input, keys.signPk, dk);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SYNC_BAD_ENVELOPE');
      }
    }
    for (const body of ['', '{', '[1]', '[["nope","a","b",1,"h"]]', '[["memory",1,"b",1,"h"]]', 'null']) {
      expect(() => decodeChanges(Buffer.from(body))).toThrow();
    }
  });
});

function mutate(env: Uint8Array, r: () => number): Buffer {
  const b = Buffer.from(env);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
  return r() < 0.3 ? b.subarray(0, Math.floor(r() * b.length)) : b;
}
