/**
 * The changes the ANN index has not absorbed yet, in change_seq order. Their vectors stay in an exact-search
 * FlatVectors so an acknowledged write is searchable at once; drain() moves the oldest into the index, so the index
 * always reflects exactly the changes up to `indexedSeq` and can be saved at any point.
 */
import type { AnnIndex } from './ann-index.js';
import { FlatVectors } from './flat-vectors.js';
import type { VectorPoint } from './types.js';

interface Change {
  seq: number;
  id: string;
  label: number;
}

export class TailLog {
  readonly flat: FlatVectors;
  private queue: Change[] = [];
  private head = 0;
  private latest = new Map<string, number>();
  indexedSeq: number;

  constructor(dims: number, indexedSeq: number) {
    this.flat = new FlatVectors(dims);
    this.indexedSeq = indexedSeq;
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  /** Records a change: a point that is now searchable, or (point null) one that no longer is. */
  push(seq: number, id: string, label: number, point: VectorPoint | null): void {
    this.queue.push({ seq, id, label });
    this.latest.set(id, seq);
    if (point) this.flat.set(point);
    else this.flat.delete(id);
  }

  /** Moves up to `max` of the oldest changes into the index. */
  drain(index: AnnIndex, max: number): number {
    const labels: number[] = [];
    const vectors: Float32Array[] = [];
    const end = Math.min(this.queue.length, this.head + max);
    for (; this.head < end; this.head++) {
      const c = this.queue[this.head] as Change;
      if (index.contains(c.label)) index.remove(c.label);
      // Only the newest change of an id carries its vector; older ones only clear what the index had.
      if (this.latest.get(c.id) === c.seq) {
        this.latest.delete(c.id);
        const v = this.flat.vector(c.id);
        if (v) {
          labels.push(c.label);
          vectors.push(v);
          this.flat.delete(c.id);
        }
      }
      this.indexedSeq = c.seq;
    }
    index.add(labels, vectors);
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return end;
  }
}
