/** The passphrase KDF (issue 12, item 7): Argon2id for new wraps, scrypt vaults still open, limits both ways. */
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkKdfParams, deriveKek, KDF_DEFAULT, KDF_FLOOR, kdfOutdated, newKdfParams } from './kdf.js';

describe('passphrase KDF', () => {
  it('new vaults use Argon2id with 64 MiB and 3 passes, a fresh 16-byte salt each time', () => {
    const a = newKdfParams();
    expect(a).toMatchObject({ name: 'argon2id', m: 65536, t: 3, p: 1 });
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(newKdfParams().salt).not.toBe(a.salt);
    expect(kdfOutdated(a)).toBe(false);
    expect(kdfOutdated(newKdfParams({ name: 'scrypt', N: 1 << 15, r: 8, p: 1 }))).toBe(true);
  });

  it('Argon2id keys depend on passphrase and salt; scrypt keys are what scrypt gives (older vaults open)', async () => {
    const p = newKdfParams({ name: 'argon2id', ...KDF_FLOOR.argon2id });
    const k1 = await deriveKek('correct horse battery staple', p);
    expect(k1).toHaveLength(32);
    expect(Buffer.from(await deriveKek('correct horse battery staple', p))).toEqual(Buffer.from(k1));
    expect(Buffer.from(await deriveKek('correct horse battery stapler', p))).not.toEqual(Buffer.from(k1));
    const other = { ...p, salt: newKdfParams().salt };
    expect(Buffer.from(await deriveKek('correct horse battery staple', other))).not.toEqual(Buffer.from(k1));
    const s = newKdfParams({ name: 'scrypt', N: 1 << 15, r: 8, p: 1 });
    const expected = scryptSync('pässword'.normalize('NFKC'), Buffer.from(s.salt, 'base64'), 32, {
      N: 1 << 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(Buffer.from(await deriveKek('pässword', s))).toEqual(expected);
  });

  it('refuses parameters below the floor, above the ceiling, or of an unknown KDF', () => {
    const base = newKdfParams(KDF_DEFAULT);
    const refused = [
      { ...base, m: 1024 },
      { ...base, t: 1 },
      { ...base, m: 4 * 1024 * 1024 },
      { ...base, p: 64 },
      { ...base, salt: 'c2FsdA==' },
      { ...base, name: 'pbkdf2' },
      { ...newKdfParams({ name: 'scrypt', N: 1 << 15, r: 8, p: 1 }), N: 1 << 12 },
    ];
    for (const p of refused) expect(() => checkKdfParams(p as never), JSON.stringify(p)).toThrow(/outside this client/);
    expect(() => checkKdfParams(base)).not.toThrow();
  });
});
