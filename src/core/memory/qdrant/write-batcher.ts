/**
 * The write queue in front of Qdrant: concurrent upserts and removes coalesce into batches, flushed when a batch
 * reaches `size` points or `ms` after its first write, whichever comes first. Batches are sent one at a time, in
 * order, so a remove never overtakes the upsert it follows. Each caller's promise settles when every batch holding
 * its points was acknowledged (or durably queued for replay: that is the sender's business).
 */
import type { PointRef } from '../store-rows.js';
import type { VectorPoint } from '../types.js';

export type { PointRef };

export interface WriteBatch {
  upserts: VectorPoint[];
  removes: PointRef[];
}

class Pending {
  readonly upserts = new Map<number, VectorPoint>();
  readonly removes = new Map<number, PointRef>();
  readonly done: Promise<void>;
  settle!: (err?: unknown) => void;
  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err === undefined ? resolve() : reject(err as Error));
    });
    // Callers may not await every write (fire-and-forget enqueue); the rejection still reaches those who do.
    this.done.catch(() => undefined);
  }
  get size(): number {
    return this.upserts.size + this.removes.size;
  }
}

export class WriteBatcher {
  private current = new Pending();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly opts: { size: number; ms: number; send: (batch: WriteBatch) => Promise<void> }) {}

  upsert(points: VectorPoint[]): Promise<void> {
    return this.add(points, (b, p) => {
      b.removes.delete(p.label);
      b.upserts.set(p.label, p);
    });
  }

  remove(refs: PointRef[]): Promise<void> {
    return this.add(refs, (b, r) => {
      b.upserts.delete(r.label);
      b.removes.set(r.label, r);
    });
  }

  /** Sends what is queued now and resolves once every batch sent so far has settled. */
  async flush(): Promise<void> {
    this.dispatch();
    await this.chain;
  }

  /** Points queued or being sent. */
  pending(): number {
    return this.current.size + this.inFlight;
  }

  private add<T>(items: T[], put: (b: Pending, item: T) => void): Promise<void> {
    const touched = new Set<Promise<void>>();
    for (const item of items) {
      put(this.current, item);
      touched.add(this.current.done);
      if (this.current.size >= this.opts.size) this.dispatch();
    }
    if (this.current.size > 0 && !this.timer) {
      this.timer = setTimeout(() => this.dispatch(), this.opts.ms);
    }
    return Promise.all(touched).then(() => undefined);
  }

  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.current;
    if (batch.size === 0) return;
    this.current = new Pending();
    this.inFlight += batch.size;
    const send = { upserts: [...batch.upserts.values()], removes: [...batch.removes.values()] };
    this.chain = this.chain.then(async () => {
      try {
        await this.opts.send(send);
        batch.settle();
      } catch (err) {
        batch.settle(err ?? new Error('write failed'));
      } finally {
        this.inFlight -= batch.size;
      }
    });
  }
}
