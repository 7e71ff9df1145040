/**
 * The stdio transport of `progeny mcp`: newline-delimited JSON-RPC on stdin/stdout, as MCP's stdio transport defines
 * it. Ours rather than the SDK's StdioServerTransport because a desktop client's mistakes must get an answer, not
 * silence or a dead server: the SDK's drops a line that is not JSON without replying, and closes the whole
 * connection when one message passes its buffer limit. Here a line that is not JSON gets a parse error (-32700), one
 * that is not JSON-RPC an invalid-request error (-32600), and a line over the limit is skipped as it streams in
 * (never buffered whole) and answered with an error naming the limit (-32600, with the request's id when it can be
 * read from the line's end, where the SDK's client writes it). Closing stdin or a broken stdout ends the connection.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The largest message accepted: far above any valid call (tool arguments are capped at 32,000 characters). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const EDGE = 256;

type Id = string | number | null;

export class StdioLineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** While skipping an over-long line: its first and last bytes, to recover the request id. */
  private skipped: { head: Buffer; tail: Buffer; bytes: number } | null = null;
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  private readonly onData = (chunk: Buffer): void => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.append(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  };
  private readonly onEnd = (): void => void this.close();
  private readonly onStreamError = (err: Error): void => {
    this.onerror?.(err);
    void this.close();
  };

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.once('close', this.onEnd);
    this.input.on('error', this.onStreamError);
    this.output.on('error', this.onStreamError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.output.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(JSON.stringify(message) + '\n')) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.chunks = [];
    this.onclose?.();
  }

  private append(part: Buffer): void {
    if (!part.length) return;
    if (this.skipped) {
      this.skipped.tail = Buffer.concat([this.skipped.tail, part]).subarray(-EDGE);
      this.skipped.bytes += part.length;
      return;
    }
    if (this.size + part.length > this.maxBytes) {
      const all = Buffer.concat([...this.chunks, part]);
      this.skipped = { head: all.subarray(0, EDGE), tail: all.subarray(-EDGE), bytes: all.length };
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(part);
    this.size += part.length;
  }

  private endLine(): void {
    if (this.skipped) {
      const { head, tail, bytes } = this.skipped;
      this.skipped = null;
      const mib = (n: number) => `${(n / 1_048_576).toFixed(1)} MiB`;
      this.reply(
        idFromEdges(head.toString('utf8'), tail.toString('utf8')),
        ErrorCode.InvalidRequest,
        `message too large: ${mib(bytes)} exceeds the ${mib(this.maxBytes)} limit; it was not read`,
      );
      return;
    }
    const line = Buffer.concat(this.chunks, this.size).toString('utf8');
    this.chunks = [];
    this.size = 0;
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.reply(null, ErrorCode.ParseError, 'parse error: each line must be one JSON-RPC message in JSON');
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(json);
    if (!parsed.success) {
      const id = (json as { id?: unknown } | null)?.id;
      this.reply(
        typeof id === 'string' || typeof id === 'number' ? id : null,
        ErrorCode.InvalidRequest,
        'invalid request: not a JSON-RPC 2.0 request, notification or response',
      );
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private reply(id: Id, code: number, message: string): void {
    // JSON-RPC allows a null id for errors about a message whose id could not be read; the SDK's types do not.
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }
}

const ID = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
const TAIL_ID = new RegExp(String.raw`"id"\s*:\s*${ID}\s*\}\s*$`);
const HEAD_ID = new RegExp(String.raw`^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*${ID}`);

/** The id of a request too large to parse, when it is the first or last member of the object (else null). */
export function idFromEdges(head: string, tail: string): Id {
  const m = TAIL_ID.exec(tail) ?? HEAD_ID.exec(head);
  if (!m) return null;
  return JSON.parse(m[1] as string) as string | number;
}
