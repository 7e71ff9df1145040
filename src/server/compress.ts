/**
 * Response compression negotiated from Accept-Encoding (brotli preferred, then gzip) for JSON and text bodies over
 * 1 KiB; smaller bodies cost more to compress than they save on loopback. Streams (SSE) are never compressed, so
 * events reach the client as they happen.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const br = promisify(brotliCompress);
const gz = promisify(gzip);
export const COMPRESS_MIN_BYTES = 1024;

export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  if (!accept) return undefined;
  const offered = new Map<string, number>();
  for (const part of accept.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    offered.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const star = offered.get('*') ?? 0;
  if ((offered.get('br') ?? star) > 0) return 'br';
  if ((offered.get('gzip') ?? star) > 0) return 'gzip';
  return undefined;
}

/** A body of COMPRESS_MIN_BYTES or more (a stream is never compressed); the cheap check first. */
export function bigEnoughToCompress(payload: unknown): boolean {
  if (typeof payload === 'string')
    return payload.length >= COMPRESS_MIN_BYTES / 4 && Buffer.byteLength(payload) >= COMPRESS_MIN_BYTES;
  return Buffer.isBuffer(payload) && payload.length >= COMPRESS_MIN_BYTES;
}

/** Most replies are small JSON and leave here untouched. */
export function needsCompression(reply: FastifyReply, payload: unknown): boolean {
  if (!bigEnoughToCompress(payload)) return false;
  if (reply.getHeader('content-encoding')) return false;
  return /json|text\/plain/.test(String(reply.getHeader('content-type') ?? ''));
}

export async function compress(
  req: FastifyRequest,
  reply: FastifyReply,
  payload: string | Buffer,
): Promise<string | Buffer> {
  const size = Buffer.byteLength(payload);
  reply.header('vary', 'accept-encoding');
  const enc = pickEncoding(req.headers['accept-encoding']);
  if (!enc) return payload;
  const out =
    enc === 'br'
      ? await br(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: size } })
      : await gz(payload, { level: 6 });
  reply.header('content-encoding', enc);
  reply.removeHeader('content-length');
  return out;
}
