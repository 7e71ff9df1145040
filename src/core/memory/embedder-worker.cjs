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
const { createTokenizer } = require('./embedder-tokenizer.cjs');

async function load() {
  const core = require(workerData.core);
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
  const embed = embedder(core, model, createTokenizer(vocabulary));
  // One sentence end to end: a model whose weights do not fit its graph fails here, not on the first real text; and
  // its vector must be the model's (embedder-fingerprint.ts): damaged weights that still load answer other ones.
  const check = workerData.probe;
  const probe = await embed([check ? check.text : 'ready']);
  if (!probe.length || probe.some((x) => !Number.isFinite(x))) throw new Error('the model answered no vector');
  const off = check ? check.head.findIndex((x, i) => !(Math.abs(probe[i] - x) <= check.tolerance)) : -1;
  if (off >= 0)
    throw new Error(
      `the weights are not the model's: its vector for "${check.text}" has ${probe[off].toFixed(6)} at ${off}, expected ${check.head[off]}`,
    );
  return { embed, dims: probe.length };
}

/**
 * What `EmbeddingsModel.embed` of @energetic-ai/embeddings does, for the same vectors at less cost (docs/embeddings.md,
 * "Costs"): the linear tokenizer, the sparse input built in typed arrays (the library concatenates arrays of pairs,
 * quadratic in the batch), and the output read as one flat Float32Array (the library builds an array of arrays of
 * numbers, which the caller then copied back into a Float32Array): texts.length × dims floats, row by row.
 */
function embedder(core, model, tokenizer) {
  return async (texts) => {
    const rows = texts.map((t) => tokenizer.encode(t));
    const count = rows.reduce((n, r) => n + r.length, 0);
    const positions = new Int32Array(count * 2);
    const ids = new Int32Array(count);
    let k = 0;
    rows.forEach((row, i) =>
      row.forEach((id, j) => {
        positions[2 * k] = i;
        positions[2 * k + 1] = j;
        ids[k++] = id;
      }),
    );
    const indices = core.tensor2d(positions, [count, 2], 'int32');
    const values = core.tensor1d(ids, 'int32');
    try {
      const out = await model.executeAsync({ indices, values });
      const flat = await out.data();
      out.dispose();
      return flat;
    } finally {
      indices.dispose();
      values.dispose();
    }
  };
}

async function main() {
  let loaded;
  try {
    loaded = await load();
  } catch (err) {
    parentPort.postMessage({ type: 'failed', message: String((err && err.message) || err) });
    return;
  }
  const { embed, dims } = loaded;
  parentPort.postMessage({ type: 'ready', dims });
  parentPort.on('message', async (msg) => {
    try {
      const flat = await embed(msg.texts);
      if (flat.length !== msg.texts.length * dims) throw new Error(`the model answered ${flat.length} numbers`);
      // Its own buffer, so it can be transferred rather than copied (a view into a larger one is copied first).
      const out = flat.byteOffset === 0 && flat.buffer.byteLength === flat.byteLength ? flat : flat.slice();
      parentPort.postMessage({ id: msg.id, vectors: out }, [out.buffer]);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) });
    }
  });
}

main();
