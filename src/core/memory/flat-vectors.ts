/**
 * An in-memory mirror of the searchable vectors: one contiguous Float32Array with slots, plus the payload fields the
 * filters need. Exact search is a scan with a dot product per point; it is the ground truth for the ANN index and
 * serves the points the index has not caught up with yet.
 */
import type { MemoryKind, VectorCandidate, VectorFilter, VectorPoint } from './types.js';

export class FlatVectors {
  private data: Float32Array;
  private ids: (string | null)[] = [];
  private actors: string[] = [];
  private kinds: MemoryKind[] = [];
  private labels: number[] = [];
  private free: number[] = [];
  private slotOf = new Map<string, number>();

  constructor(readonly dims: number) {
    this.data = new Float32Array(dims * 1024);
  }

  get size(): number {
    return this.slotOf.size;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  set(p: VectorPoint): void {
    let slot = this.slotOf.get(p.id) ?? this.free.pop();
    if (slot === undefined) {
      slot = this.ids.length;
      if ((slot + 1) * this.dims > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
    }
    this.data.set(p.vector.subarray(0, this.dims), slot * this.dims);
    this.ids[slot] = p.id;
    this.actors[slot] = p.payload.actor;
    this.kinds[slot] = p.payload.kind;
    this.labels[slot] = p.label;
    this.slotOf.set(p.id, slot);
  }

  delete(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    this.ids[slot] = null;
    this.free.push(slot);
    // A scan walks every slot, free or not, and a drained tail of a rebuild would keep its whole buffer (150 MB at
    // 100k × 384): repack once most slots are free.
    if (this.ids.length > 1024 && this.slotOf.size * 4 < this.ids.length) this.compact();
    return true;
  }

  private compact(): void {
    const live = [...this.slotOf].map(([id, slot]) => ({
      id,
      label: this.labels[slot] as number,
      vector: this.data.slice(slot * this.dims, (slot + 1) * this.dims),
      payload: { actor: this.actors[slot] as string, kind: this.kinds[slot] as MemoryKind, createdAt: 0, salience: 0 },
    }));
    this.data = new Float32Array(this.dims * Math.max(1024, live.length * 2));
    this.ids = [];
    this.actors = [];
    this.kinds = [];
    this.labels = [];
    this.free = [];
    this.slotOf.clear();
    for (const p of live) this.set(p);
  }

  /** Slots a scan walks (live and free): for tests of the repacking. */
  get slots(): number {
    return this.ids.length;
  }

  vector(id: string): Float32Array | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.data.slice(slot * this.dims, (slot + 1) * this.dims);
  }

  matches(id: string, filter: VectorFilter): boolean {
    const slot = this.slotOf.get(id);
    return slot !== undefined && this.slotMatches(slot, filter);
  }

  private slotMatches(slot: number, f: VectorFilter): boolean {
    if (f.actor !== undefined && this.actors[slot] !== f.actor) return false;
    return !f.kinds?.length || f.kinds.includes(this.kinds[slot] as MemoryKind);
  }

  /** Exact top-`limit` by dot product (cosine: every vector is unit length). */
  search(q: Float32Array, limit: number, filter: VectorFilter, only?: (id: string) => boolean): VectorCandidate[] {
    const d = this.dims;
    const top: { slot: number; sim: number }[] = [];
    let floor = -Infinity;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot];
      if (id == null || !this.slotMatches(slot, filter) || (only && !only(id))) continue;
      let s = 0;
      const base = slot * d;
      for (let i = 0; i < d; i++) s += (q[i] as number) * (this.data[base + i] as number);
      if (top.length >= limit && s <= floor) continue;
      top.push({ slot, sim: s });
      if (top.length > limit * 4) {
        top.sort((a, b) => b.sim - a.sim).length = limit;
        floor = top[limit - 1]!.sim;
      }
    }
    top.sort((a, b) => b.sim - a.sim);
    return top.slice(0, limit).map(({ slot, sim }) => ({
      id: this.ids[slot] as string,
      similarity: sim,
      vector: this.data.slice(slot * d, (slot + 1) * d),
    }));
  }

  entries(): { id: string; label: number; vector: Float32Array }[] {
    return [...this.slotOf].map(([id, slot]) => ({
      id,
      label: this.labels[slot] as number,
      vector: this.data.subarray(slot * this.dims, (slot + 1) * this.dims),
    }));
  }
}
