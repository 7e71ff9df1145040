/**
 * Copies the files tsc does not emit into dist/: the embedder's worker thread and its tokenizer are plain CommonJS
 * (src/core/memory/embedder-worker.cjs, embedder-tokenizer.cjs) so that they run unchanged from the sources and from
 * the build.
 */
import { copyFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const file of ['core/memory/embedder-worker.cjs', 'core/memory/embedder-tokenizer.cjs'])
  copyFileSync(resolve(root, 'src', file), resolve(root, 'dist', file));
