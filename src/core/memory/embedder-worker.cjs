/**
 * The worker thread of the built-in semantic embedder (docs/embeddings.md): loads Universal Sentence Encoder lite
 * from the files of its npm package (never from the network: the model is read from `file://` paths and the
 * vocabulary from disk) and embeds batches sent by embedder-model.ts, so the tfjs/WASM work never blocks the main
 * thread. Plain CommonJS so that the same file runs from the sources (tests) and from dist/ (the build copies it).
 *
 * Protocol: it posts {type:'ready', dims} or {type:'failed', message} once; then for each {id, texts} it posts
 * {id, vectors: Float32Array} (texts.length × dims, transferred) or {id, error}.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFile } = require('node:fs/promises');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

async function load() {
  const core = require(workerData.core);
  const { EmbeddingsModel } = require(workerData.embeddings);
  const dir = workerData.modelDir;
  // The backend first: loading the graph makes tensors, which fails ("Backend 'wasm' has not yet been initialized")
  // whenever the WebAssembly module is not compiled yet, as happens on a busy machine.
  await core.ready();
  const [model, vocabulary] = await Promise.all([
    core.loadGraphModel(pathToFileURL(join(dir, 'model.json')).href),
    readFile(join(dir, 'vocab.json'), 'utf8').then((s) => JSON.parse(s)),
  ]);
  // The graph keeps the file's weight bytes (for saving, which this never does) beside the weights the backend made
  // of them: dropping them gives back their size (~28 MB) in every worker.
  if (model.artifacts) model.artifacts.weightData = undefined;
  const embeddings = new EmbeddingsModel({ model, vocabulary });
  // One sentence end to end: a model whose weights do not fit its graph fails here, not on the first real text.
  const [probe] = await embeddings.embed(['ready']);
  if (!probe || probe.length === 0 || probe.some((x) => !Number.isFinite(x)))
    throw new Error('the model answered no vector');
  return { embeddings, dims: probe.length };
}

async function main() {
  let loaded;
  try {
    loaded = await load();
  } catch (err) {
    parentPort.postMessage({ type: 'failed', message: String((err && err.message) || err) });
    return;
  }
  const { embeddings, dims } = loaded;
  parentPort.postMessage({ type: 'ready', dims });
  parentPort.on('message', async (msg) => {
    try {
      const rows = await embeddings.embed(msg.texts);
      const out = new Float32Array(msg.texts.length * dims);
      rows.forEach((row, i) => out.set(row, i * dims));
      parentPort.postMessage({ id: msg.id, vectors: out }, [out.buffer]);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) });
    }
  });
}

main();
