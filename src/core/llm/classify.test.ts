import { afterAll, describe, expect, it } from 'vitest';
import { Deadline } from './deadline.js';
import { toLlmError, type FailureContext } from './classify.js';
import { WireError } from './wire-error.js';

const ctx: FailureContext = {
  provider: 'openai',
  url: 'https://api.example.com/v1',
  model: 'gpt-4o-mini',
  secrets: ['sk-SECRET-000111'],
  connectTimeoutMs: 3_000,
  idleTimeoutMs: 30_000,
};

function errno(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('toLlmError', () => {
  const deadline = new Deadline(60_000);
  afterAll(() => deadline.dispose());

  it.each([
    ['ECONNREFUSED', 'LLM_UNREACHABLE', /connection refused/],
    ['ENOTFOUND', 'LLM_UNREACHABLE', /host not found/],
    ['UND_ERR_CONNECT_TIMEOUT', 'LLM_UNREACHABLE', /no connection within 3000 ms/],
    ['EHOSTUNREACH', 'LLM_UNREACHABLE', /no route/],
    ['UND_ERR_HEADERS_TIMEOUT', 'LLM_TIMEOUT', /no reply within 30000 ms/],
    ['UND_ERR_BODY_TIMEOUT', 'LLM_TIMEOUT', /silent for 30000 ms/],
    ['ECONNRESET', 'LLM_STREAM_CUT', /connection closed/],
    ['HPE_INVALID_CONSTANT', 'LLM_BAD_RESPONSE', /not valid HTTP/],
  ])('%s → %s', (code, expected, message) => {
    const err = toLlmError(errno(code), ctx, deadline, false);
    expect(err).toMatchObject({ code: expected, exitCode: 4, details: { provider: 'openai' } });
    expect(err.message).toMatch(message);
    expect(err.message).toContain('https://api.example.com/v1');
    expect(err.hint).toBeTruthy();
  });

  it('finds the code of an AggregateError (several addresses tried)', () => {
    const agg = Object.assign(new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')], 'all failed'), {});
    expect(toLlmError(agg, ctx, deadline, false).code).toBe('LLM_UNREACHABLE');
  });

  it('maps wire failures; an in-stream "model not found" is LLM_MODEL_MISSING', () => {
    expect(toLlmError(new WireError('stream_cut', 'ended early'), ctx, deadline, true).code).toBe('LLM_STREAM_CUT');
    expect(toLlmError(new WireError('bad_response', 'x'), ctx, deadline, true).code).toBe('LLM_BAD_RESPONSE');
    expect(toLlmError(new WireError('server_error', 'CUDA out of memory'), ctx, deadline, true)).toMatchObject({
      code: 'LLM_HTTP',
      message: expect.stringContaining('reported an error: CUDA out of memory'),
    });
    expect(toLlmError(new WireError('server_error', 'model "x" not found'), ctx, deadline, true).code).toBe(
      'LLM_MODEL_MISSING',
    );
  });

  it('reports a cancel as INTERRUPTED whatever the underlying error', () => {
    const ac = new AbortController();
    const d = new Deadline(60_000, ac.signal);
    ac.abort();
    expect(toLlmError(errno('ECONNRESET'), ctx, d, true)).toMatchObject({ code: 'INTERRUPTED', exitCode: 130 });
    d.dispose();
  });

  it('scrubs secrets from messages built from server text', () => {
    const err = toLlmError(new WireError('server_error', 'bad key sk-SECRET-000111'), ctx, deadline, true);
    expect(err.message).toContain('bad key ***');
    expect(JSON.stringify(err.toJSON())).not.toContain('sk-SECRET');
  });
});
