/**
 * Qdrant refuses a request body over its `service.max_request_size_mb` (32 MiB by default) with a 400, which is not
 * worth retrying. A batch of `memory.qdrant.batchSize` points (up to 10,000) of 768 to 3,072 dimensions is far
 * more than that as JSON (about 20 bytes a number), so upserts are split by their encoded size, bounded from above
 * so that no point has to be encoded twice: 25 bytes a number (the longest float a Float32 value prints as, with its
 * comma) plus the payload and the point's own keys (docs/domain.md, "Memory").
 */
import type { VectorPoint } from '../types.js';

/** Room left for the envelope around the points ({"points":[…]}). */
const ENVELOPE_BYTES = 1024;
const NUMBER_BYTES = 25;
const POINT_OVERHEAD_BYTES = 64;

/** An upper bound of the point's size in the upsert body. */
export function encodedSizeBound(p: VectorPoint): number {
  const payload = Buffer.byteLength(JSON.stringify(p.payload)) + Buffer.byteLength(p.id) + 64;
  return p.vector.length * NUMBER_BYTES + payload + POINT_OVERHEAD_BYTES;
}

/** The points in order, in runs whose upsert body stays within `maxBytes` (a point larger than that alone). */
export function splitBySize(points: readonly VectorPoint[], maxBytes: number): VectorPoint[][] {
  const runs: VectorPoint[][] = [];
  let run: VectorPoint[] = [];
  let size = ENVELOPE_BYTES;
  for (const p of points) {
    const bytes = encodedSizeBound(p);
    if (run.length && size + bytes > maxBytes) {
      runs.push(run);
      run = [];
      size = ENVELOPE_BYTES;
    }
    run.push(p);
    size += bytes;
  }
  if (run.length) runs.push(run);
  return runs;
}
