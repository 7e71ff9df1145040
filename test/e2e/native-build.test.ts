import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/build-native.mjs', import.meta.url));

// docs/embeddings.md, "The runtime": `npm ci` (prepare → build) must work on a machine that cannot compile the addon.
describe('building the native embedder', () => {
  it('without a C++ compiler: a notice, exit 0, and the build goes on (the model then runs on WebAssembly)', () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, CXX: '/nonexistent/g++' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^progeny: the native embedder was not built \(no C\+\+ compiler \(\/nonexistent\/g\+\+\)\); the built-in model will run on WebAssembly\n$/,
    );
  });
});
