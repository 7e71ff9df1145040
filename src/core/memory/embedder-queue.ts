/**
 * The semantic embedder's waiting texts (docs/embeddings.md, "The worker threads"), in three lanes taken in this
 * order: parts of batches whose worker died (sent again first), quick requests (a query, one `memory add`: several
 * may share a batch) and bulk requests. A batch holds texts of one lane only, so a query never waits for bulk texts
 * that were queued with it; a bulk request is cut into even batches, so the workers finish it together (evenBatch).
 */

/** USE lite reads the first 128 tokens (measured: a suffix past them leaves the vector unchanged); the tokenizer's cost grows with the length, so what it would not read is cut first. */
export const MAX_CHARS = 1500;

/** Cuts a text to what the model reads, on a code point boundary; blank stays blank. */
export function clip(text: string): string {
  if (text.length <= MAX_CHARS) return text;
  let end = MAX_CHARS;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end);
}

/** Requests of at most this many texts (recall's query, one `memory add`) go ahead of bulk work. */
export const QUICK = 4;

export interface Job {
  texts: string[];
  /** Texts handed to a batch so far. */
  offset: number;
  out: Float32Array[];
  done: number;
  cancelled: boolean;
  /** At most this many of its texts go in one batch (bulk jobs: see evenBatch). */
  batch: number;
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
}

/** Texts [start, start + count) of a job. */
export interface Part {
  job: Job;
  start: number;
  count: number;
}

export interface Batch {
  parts: Part[];
  texts: string[];
}

export interface EmbedQueue {
  /** Texts waiting (not yet in a worker). */
  queued(): number;
  /** Quick requests waiting (a query that no worker is free for). */
  quickWaiting(): boolean;
  add(job: Job): void;
  /** Parts of a dead worker's batch: they go first. */
  retry(parts: Part[]): void;
  /** The next batch, at most `size` texts (a lane's head first; `quickOnly`: quick requests only); empty when nothing waits. */
  take(size: number, quickOnly?: boolean): Batch;
  /** Removes a job that was not fully handed out; a part already in a worker comes back and is dropped. */
  remove(job: Job): void;
  /** Every job waiting, the queue left empty (for failing them all). */
  drain(): Job[];
}

/**
 * The batch size that cuts `n` texts into batches of at most `max`, in a number of batches that is a multiple of the
 * workers: with two workers, 50 texts go as 13 + 13 + 13 + 11 (each worker two batches, done together) rather than
 * 16 + 16 + 16 + 2, which leaves one worker idle while the other does its second 16.
 */
export function evenBatch(n: number, max: number, workers: number): number {
  const batches = Math.ceil(Math.ceil(n / max) / workers) * workers;
  return Math.max(1, Math.ceil(n / batches));
}

export function createEmbedQueue(): EmbedQueue {
  const quick: Job[] = [];
  const bulk: Job[] = [];
  const retried: Part[] = [];
  const left = (lane: Job[]) => lane.reduce((n, j) => n + j.texts.length - j.offset, 0);

  function fromRetried(size: number, batch: Batch): void {
    while (retried.length && batch.texts.length < size) {
      const p = retried.shift() as Part;
      if (p.job.cancelled) continue;
      batch.parts.push(p);
      batch.texts.push(...p.job.texts.slice(p.start, p.start + p.count).map((t) => clip(t)));
    }
  }

  function fromLane(lane: Job[], size: number, batch: Batch): void {
    // Quick jobs share a batch up to `size`; bulk ones take their own even share of it.
    const cap = lane === bulk && lane.length ? Math.min(size, (lane[0] as Job).batch) : size;
    while (lane.length && batch.texts.length < cap) {
      const job = lane[0] as Job;
      const count = Math.min(cap - batch.texts.length, job.texts.length - job.offset);
      batch.texts.push(...job.texts.slice(job.offset, job.offset + count).map((t) => clip(t)));
      batch.parts.push({ job, start: job.offset, count });
      job.offset += count;
      if (job.offset === job.texts.length) lane.shift();
    }
  }

  return {
    queued: () => left(quick) + left(bulk) + retried.reduce((n, p) => n + p.count, 0),
    quickWaiting: () => quick.length > 0,
    add: (job) => void (job.texts.length <= QUICK ? quick : bulk).push(job),
    retry: (parts) => void retried.unshift(...parts.filter((p) => !p.job.cancelled)),
    take(size, quickOnly = false) {
      const batch: Batch = { parts: [], texts: [] };
      if (quickOnly) {
        fromLane(quick, size, batch);
        return batch;
      }
      fromRetried(size, batch);
      for (const lane of [quick, bulk]) if (!batch.texts.length) fromLane(lane, size, batch);
      return batch;
    },
    remove(job) {
      for (const lane of [quick, bulk]) if (lane.includes(job)) lane.splice(lane.indexOf(job), 1);
    },
    drain() {
      const jobs = [...quick, ...bulk, ...retried.map((p) => p.job)];
      quick.length = bulk.length = retried.length = 0;
      return jobs;
    },
  };
}
