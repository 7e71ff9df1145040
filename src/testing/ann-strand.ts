/**
 * Strands a node of a saved usearch index on purpose, for the tests of the reachability check
 * (src/core/memory/index-reachability.ts): every neighbour list, on every level, that names the node loses it, as
 * usearch's concurrent add can leave a node (usearch issue #735). Walks the layout progeny's reader knows
 * (src/native/ann-reader.h): u32 rows, u32 dims | rows × int8 vectors | 64-byte head | 40-byte graph header (u64 size,
 * connectivity, base connectivity, max level, entry slot) | rows × i16 levels | nodes (u64 key, i16 level, then per
 * level a u32 count and its slots: base connectivity of them on level 0, connectivity above).
 */

interface Layout {
  rows: number;
  m: number;
  m0: number;
  entry: number;
  levelsAt: number;
  /** The byte offset of each node. */
  offsets: number[];
}

function layout(buf: Buffer): Layout {
  const rows = buf.readUInt32LE(0);
  const graph = 8 + rows * buf.readUInt32LE(4) + 64;
  const m = Number(buf.readBigUInt64LE(graph + 8));
  const m0 = Number(buf.readBigUInt64LE(graph + 16));
  const entry = Number(buf.readBigUInt64LE(graph + 32));
  const levelsAt = graph + 40;
  const offsets: number[] = [];
  let at = levelsAt + 2 * rows;
  for (let i = 0; i < rows; i++) {
    offsets.push(at);
    at += 10 + 4 + 4 * m0 + (4 + 4 * m) * buf.readInt16LE(levelsAt + 2 * i);
  }
  if (at !== buf.length) throw new Error('not a layout the reader knows');
  return { rows, m, m0, entry, levelsAt, offsets };
}

/** The key (label) of every node, by slot. */
export function nodeKeys(buf: Buffer): bigint[] {
  return layout(buf).offsets.map((at) => buf.readBigUInt64LE(at));
}

/** Removes `slot` from every neighbour list in the image (changed in place); returns how many lists named it. */
export function strandSlot(buf: Buffer, slot: number): number {
  const x = layout(buf);
  if (slot === x.entry) throw new Error('the entry point cannot be stranded');
  let cut = 0;
  x.offsets.forEach((node, i) => {
    const level = buf.readInt16LE(x.levelsAt + 2 * i);
    let list = node + 10;
    for (let l = 0; l <= level; l++) {
      const count = buf.readUInt32LE(list);
      const slots = Array.from({ length: count }, (_, j) => buf.readUInt32LE(list + 4 + 4 * j));
      const kept = slots.filter((s) => s !== slot);
      if (kept.length !== count) {
        cut++;
        buf.writeUInt32LE(kept.length, list);
        kept.forEach((s, j) => buf.writeUInt32LE(s, list + 4 + 4 * j));
      }
      list += 4 + 4 * (l === 0 ? x.m0 : x.m);
    }
  });
  return cut;
}

/** Strands the node holding `key`; returns its slot. */
export function strandKey(buf: Buffer, key: bigint): number {
  const slot = nodeKeys(buf).indexOf(key);
  if (slot < 0) throw new Error(`no node holds ${key}`);
  strandSlot(buf, slot);
  return slot;
}

/** The slot of the entry point (a stranded entry point would strand every other node instead). */
export const entrySlot = (buf: Buffer): number => layout(buf).entry;
