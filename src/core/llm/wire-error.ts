/**
 * What decoders and wire validators throw: a failure of the bytes or the shape, without knowing which server sent
 * them. The provider turns it into a ProgenyError with its own context (errors.ts, `toLlmError`).
 */
export type WireFailure =
  /** Not JSON, the wrong shape, an over-long line. */
  | 'bad_response'
  /** The stream ended without its final message. */
  | 'stream_cut'
  /** The server reported an error inside a 200 reply (an `error` object in the stream). */
  | 'server_error';

export class WireError extends Error {
  constructor(
    readonly kind: WireFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** At most `max` characters of a value, for messages about bad input (never the whole body). */
export function snippet(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
