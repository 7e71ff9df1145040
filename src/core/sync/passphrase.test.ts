/** New vault passphrases are estimated, and a weak one is refused with the reason (issue 12, item 7). */
import { describe, expect, it } from 'vitest';
import { requireStrongPassphrase } from './passphrase.js';

describe('passphrase strength', () => {
  it('refuses common and repetitive passphrases, saying why', async () => {
    await expect(requireStrongPassphrase('password1')).rejects.toMatchObject({
      code: 'SYNC_WEAK_PASSPHRASE',
      exitCode: 2,
      message: expect.stringMatching(/too easy to guess.*commonly used password/),
    });
    await expect(requireStrongPassphrase('aaaaaaaaaaaaaaaaaaaa')).rejects.toThrow(/Repeated characters/);
    await expect(requireStrongPassphrase('qwertyuiop')).rejects.toThrow(/strength [0-2] of 4/);
  }, 30_000);

  it('accepts long passphrases of uncommon words', async () => {
    await expect(requireStrongPassphrase('correct horse battery staple')).resolves.toBeUndefined();
    await expect(requireStrongPassphrase('zebra-kettle-orbit-73')).resolves.toBeUndefined();
  }, 30_000);
});
