/**
 * A latency histogram in nanoseconds with HDR-style log buckets: values below 2·SUB are kept exactly; above, each
 * power-of-two range is split into SUB equal sub-buckets, so a reported value is within RELATIVE_ERROR of the true
 * one at any magnitude (ns to hours) in a fixed 6 k-slot array. Percentiles use the nearest-rank definition; min,
 * max, sum and count are exact. Encodes to a sparse JSON form to cross the child-process boundary.
 */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128 sub-buckets per power of two
const EXACT = 2 * SUB; // values below this are their own bucket
const MAX_EXP = 53; // Number.MAX_SAFE_INTEGER
const SLOTS = EXACT + (MAX_EXP - SUB_BITS) * SUB;

/** Worst-case relative error of a reported percentile: half a sub-bucket over the bucket's lower bound. */
export const RELATIVE_ERROR = 1 / (2 * SUB);

export interface EncodedHistogram {
  count: number;
  min: number;
  max: number;
  sum: number;
  /** [slot, count] pairs for the non-empty slots. */
  slots: [number, number][];
}

function slotOf(v: number): number {
  if (v < EXACT) return v;
  const exp = Math.floor(Math.log2(v));
  const shift = exp - SUB_BITS;
  let m = Math.floor(v / 2 ** shift);
  // log2 can round up at exact powers' neighbours; keep the mantissa in [SUB, 2·SUB).
  let e = exp;
  if (m >= 2 * SUB) {
    e += 1;
    m = Math.floor(v / 2 ** (e - SUB_BITS));
  } else if (m < SUB) {
    e -= 1;
    m = Math.floor(v / 2 ** (e - SUB_BITS));
  }
  return EXACT + (e - SUB_BITS - 1) * SUB + (m - SUB);
}

/** The [low, high) range of values a slot holds. */
export function slotRange(slot: number): [number, number] {
  if (slot < EXACT) return [slot, slot + 1];
  const rel = slot - EXACT;
  const e = Math.floor(rel / SUB) + SUB_BITS + 1;
  const width = 2 ** (e - SUB_BITS);
  const low = (SUB + (rel % SUB)) * width;
  return [low, low + width];
}

export class Histogram {
  private counts = new Float64Array(SLOTS);
  count = 0;
  min = Infinity;
  max = 0;
  sum = 0;

  /** Records one value in ns (negative values are clamped to 0, fractions truncated). */
  record(ns: number): void {
    const v = ns > 0 ? Math.min(Math.floor(ns), Number.MAX_SAFE_INTEGER) : 0;
    this.counts[slotOf(v)]! += 1;
    this.count += 1;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  mean(): number {
    return this.count ? this.sum / this.count : 0;
  }

  /** Nearest-rank percentile (0 < p ≤ 100) in ns: the midpoint of the slot holding that rank, clamped to [min, max]. */
  percentile(p: number): number {
    if (!this.count) return 0;
    if (p >= 100) return this.max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < SLOTS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const [low, high] = slotRange(i);
        const mid = i < EXACT ? low : (low + high - 1) / 2;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  merge(other: Histogram): this {
    for (let i = 0; i < SLOTS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  encode(): EncodedHistogram {
    const slots: [number, number][] = [];
    for (let i = 0; i < SLOTS; i++) if (this.counts[i]) slots.push([i, this.counts[i]!]);
    return { count: this.count, min: this.count ? this.min : 0, max: this.max, sum: this.sum, slots };
  }

  static decode(e: EncodedHistogram): Histogram {
    const h = new Histogram();
    for (const [slot, n] of e.slots) h.counts[slot] = n;
    h.count = e.count;
    h.sum = e.sum;
    h.min = e.count ? e.min : Infinity;
    h.max = e.max;
    return h;
  }
}
