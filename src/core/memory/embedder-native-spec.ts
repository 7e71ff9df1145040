/**
 * Where the native embedder (src/native/, docs/embeddings.md "The runtime") finds each weight of Universal Sentence
 * Encoder lite: the tensors it reads, by their names in the package's model.json, with the shapes it assumes. The
 * manifest gives each tensor's place in the concatenated weight shards; a name missing or a shape that differs is a
 * model this forward pass does not implement, reported before anything is read.
 */
import { join } from 'node:path';

const K = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const S = `${K}TransformerStack/`;
const M = 'module/Encoder_en/KonaTransformer/Encode/';

function layer(i: number, width: number): [string, number[]][] {
  const own = `${K}Layer_${i}/TransformerLayer/`;
  const stack = `${S}Layer_${i}/TransformerLayer/`;
  const kernel = `${M}Layer_${i}/TransformerLayer/MultiheadAttention/`;
  const widen: [string, number[]][] =
    i === 0
      ? [
          [`${own}dense/kernel/ConcatPartitions/concat`, [width, 512]],
          [`${own}dense/bias/ConcatPartitions/concat`, [512]],
        ]
      : [];
  return [
    [`${own}layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`, [width]],
    [`${own}layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`, [width]],
    ...widen,
    [`${kernel}qkv_transform_single/kernel/part_0`, [1, 1, width, 3 * width]],
    [`${own}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, [3 * width]],
    [`${kernel}output_transform_single/kernel/part_0`, [1, 1, width, 512]],
    [`${own}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, [512]],
    [`${own}FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`, [512]],
    [`${own}FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`, [512]],
    [`${stack}FFN/conv1/Tensordot/Reshape_1`, [512, 1536]],
    [`${own}FFN/conv1/bias/ConcatPartitions/concat`, [1536]],
    [`${stack}FFN/conv2/Tensordot/Reshape_1`, [1536, 512]],
    [`${own}FFN/conv2/bias/ConcatPartitions/concat`, [512]],
  ];
}

/** In the order src/native/model.cc reads them (kTensorCount of them). */
export const TENSORS: [string, number[]][] = [
  ['module/Embeddings_en', [8002, 256]],
  [`${S}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]],
  [`${S}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`, []],
  ['module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y', []],
  ['module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y', []],
  [`${S}Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`, []],
  [`${S}Layer_0/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`, []],
  [`${S}Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3`, []],
  [`${S}Layer_0/TransformerLayer/MultiheadAttention/mul/y`, []],
  [`${S}Layer_1/TransformerLayer/MultiheadAttention/mul/y`, []],
  ...layer(0, 256),
  ...layer(1, 512),
  ['module/Encoder_en/hidden_layers/tanh_layer_0/weights', [512, 512]],
  ['module/Encoder_en/hidden_layers/tanh_layer_0/bias', [512]],
];

interface Manifest {
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
  }[];
}

/** The shard files and, per tensor of TENSORS, [byte offset, value count] in their concatenation. */
export async function weightSpec(modelDir: string): Promise<{ shards: string[]; spec: Float64Array }> {
  // node:fs/promises imported here, not at the top: every command that opens the engine evaluates this module.
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as Manifest;
  const groups = manifest.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1) throw new Error('model.json: expected one weight group');
  const group = groups[0]!;
  const at = new Map<string, { offset: number; shape: number[] }>();
  let offset = 0;
  for (const w of group.weights) {
    if (w.quantization) throw new Error(`model.json: ${w.name} is quantised`);
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`model.json: ${w.name} is ${w.dtype}`);
    at.set(w.name, { offset, shape: w.shape });
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  const spec = new Float64Array(2 * TENSORS.length);
  TENSORS.forEach(([name, shape], i) => {
    const found = at.get(name);
    if (!found) throw new Error(`model.json: no tensor ${name}`);
    if (found.shape.join('x') !== shape.join('x'))
      throw new Error(`model.json: ${name} is ${found.shape.join('x') || 'a scalar'}, expected ${shape.join('x')}`);
    spec[2 * i] = found.offset;
    spec[2 * i + 1] = shape.reduce((a, b) => a * b, 1);
  });
  return { shards: group.paths.map((p) => join(modelDir, p)), spec };
}
