/**
 * Write batching (docs/domain.md, "Memory"): enqueue() returns a promise that settles once
 * the batch holding the item is durable. Flushes run one at a time so batches commit in enqueue order.
 */
export interface Batcher<T, R> {
  push(item: T): Promise<R>;
  flush(): Promise<void>;
  readonly pending: number;
}

export function createBatcher<T, R>(opts: {
  size: number;
  ms: number;
  write: (items: T[]) => Promise<R[]>;
}): Batcher<T, R> {
  let queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();

  const drain = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return chain;
    chain = chain.then(async () => {
      try {
        const results = await opts.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as R));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    });
    return chain;
  };

  return {
    get pending() {
      return queue.length;
    },
    push(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= opts.size) void drain();
        else if (!timer) {
          timer = setTimeout(() => void drain(), opts.ms);
          // A pending batch must not keep a finished CLI process alive; close() flushes it.
          timer.unref();
        }
      });
    },
    flush: drain,
  };
}
