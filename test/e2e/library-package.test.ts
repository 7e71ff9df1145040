/**
 * The library entry as a consumer gets it (issue 14): `npm pack` the package, install the tarball's files in a fresh
 * project whose node_modules holds only the package's runtime dependencies (no devDependency such as
 * @types/better-sqlite3), type-check a small strict TypeScript program against it, then run it. Also: the `exports`
 * map hides the internals, and every shipped source map carries the sources it points at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
};
let work: string;
let consumer: string;
let installed: string;

const CONSUMER = `import { createEngine, loadConfig, pathsFor, ProgenyError, type Engine, type Memory } from '${pkg.name}';

const paths = pathsFor(process.argv[2] as string);
const { config } = loadConfig({ path: paths.config, env: {}, flags: { 'llm.provider': 'offline' } });
const engine: Engine = await createEngine({ paths, config });
try {
  const added: Memory[] = await engine.memory.add([{ text: 'the river behind the house floods every spring' }]);
  const found = await engine.memory.recall({ text: 'river floods', k: 1 });
  console.log(JSON.stringify({ added: added.length, found: found[0]?.memory.text, mode: engine.mode() }));
} catch (err) {
  if (err instanceof ProgenyError) console.log(err.code, err.exitCode);
  throw err;
} finally {
  await engine.close();
}
`;

const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8' });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'progeny-pack-'));
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo);
  expect(packed.status, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  expect(run('tar', ['xzf', join(work, filename), '-C', work], repo).status).toBe(0);
  consumer = join(work, 'consumer');
  installed = join(consumer, 'node_modules', pkg.name);
  mkdirSync(dirname(installed), { recursive: true });
  expect(run('mv', [join(work, 'package'), installed], repo).status).toBe(0);
  // Only what `npm install` of the tarball would bring: its runtime dependencies (linked from this clone), plus the
  // consumer's own @types/node.
  for (const dep of [...Object.keys(pkg.dependencies), '@types/node']) {
    const at = join(consumer, 'node_modules', dep);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(repo, 'node_modules', dep), at, 'dir');
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        types: ['node'],
        outDir: 'out',
      },
      include: ['main.ts', 'deep.ts'],
    }),
  );
  writeFileSync(join(consumer, 'main.ts'), CONSUMER);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const tsc = (project: string) =>
  run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], consumer);

describe('the packed library', () => {
  it('type-checks a strict consumer without any devDependency, and runs it', () => {
    const checked = tsc('.');
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
    const home = join(work, 'home');
    const ran = run(process.execPath, [join(consumer, 'out', 'main.js'), home], consumer);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({
      added: 1,
      found: 'the river behind the house floods every spring',
      mode: 'OFFLINE',
    });
  }, 120_000);

  it('exports only its entry: internal modules cannot be imported', () => {
    writeFileSync(
      join(consumer, 'deep.ts'),
      `import { openDatabase } from '${pkg.name}/dist/core/store/db.js';\nopenDatabase;\n`,
    );
    try {
      const checked = tsc('.');
      expect(checked.status).not.toBe(0);
      expect(checked.stdout).toContain('TS2307');
    } finally {
      rmSync(join(consumer, 'deep.ts'));
    }
  }, 120_000);

  it('installs under a name of its own with a `progeny` command that runs from the tarball (issue 15, trap 9)', () => {
    // `progeny` on the npm registry is an unrelated package: `npm install -g progeny` or `npx progeny` would run it.
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      bin: Record<string, string>;
    };
    expect(manifest.name).toBe('progeny-companion');
    expect(manifest.bin).toEqual({ progeny: 'bin/progeny.js' });
    // What a global install makes: <prefix>/bin/progeny, a link to the package's bin file.
    const bin = join(work, 'prefix', 'bin', 'progeny');
    mkdirSync(dirname(bin), { recursive: true });
    symlinkSync(join(installed, 'bin', 'progeny.js'), bin);
    const env = { ...process.env, PROGENY_HOME: join(work, 'global-home'), PROGENY_LLM_PROVIDER: 'offline' };
    const progeny = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    const version = progeny('--version');
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);
    const doctor = progeny('--json', 'doctor');
    expect(doctor.stderr).not.toMatch(/\n\s+at /);
    const checks = (JSON.parse(doctor.stdout) as { checks: { check: string }[] }).checks.map((c) => c.check);
    expect(checks).toEqual(expect.arrayContaining(['home', 'config', 'llm']));
  }, 120_000);

  it('ships source maps that carry their sources', () => {
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.map')) maps.push(join(dir, e.name));
      }
    };
    walk(installed);
    expect(maps.length).toBeGreaterThan(0);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(
        map.sourcesContent?.every((s) => typeof s === 'string' && s.length > 0),
        file,
      ).toBe(true);
    }
  });
});
