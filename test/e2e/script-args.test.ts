/** The scripts in scripts/ answer a mistyped option with their usage and exit 2, and --help with exit 0. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [`scripts/${script}`, ...args], { cwd: root, encoding: 'utf8' });

describe('script options (scripts/script-args.mjs)', () => {
  it.each(['bench-wrk.mjs', 'bench-startup.mjs', 'profile-layers.mjs'])(
    '%s: usage on --help, exit 2 on a typo',
    (s) => {
      const help = run(s, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: node scripts/${s}`));
      const typo = run(s, '--runz', '3');
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain(`${s}: Unknown option '--runz'`);
      expect(typo.stderr).toContain(`usage: node scripts/${s}`);
      expect(typo.stderr).not.toMatch(/\n\s+at /); // no stack trace
    },
  );

  it('profile-layers without its profile file says how to call it', () => {
    const r = run('profile-layers.mjs');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node scripts\/profile-layers.mjs FILE.cpuprofile/);
  });
});
