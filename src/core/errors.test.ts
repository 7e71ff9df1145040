import { describe, expect, it } from 'vitest';
import type * as ErrorsModule from './errors.js';
import { ProgenyError, toProgenyError } from './errors.js';
import { act } from './hints.js';

class Narrower extends ProgenyError {}

describe('ProgenyError identity', () => {
  it('is recognised across two copies of the module (the bundled CLI entry and dist/ each load one)', async () => {
    // A query string makes the module loader evaluate a second, independent copy of errors.ts.
    const secondCopy = './errors.js?second-copy';
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof ErrorsModule;
    expect(other.ProgenyError).not.toBe(ProgenyError);
    const fromOtherCopy = new other.ProgenyError('NOT_FOUND', 'memory x not found', { hint: 'list them' });
    expect(fromOtherCopy instanceof ProgenyError).toBe(true);
    const mapped = toProgenyError(fromOtherCopy);
    expect(mapped).toBe(fromOtherCopy);
    expect(mapped.code).toBe('NOT_FOUND');
  });

  it('does not claim plain errors, look-alikes or a base error for a subclass', () => {
    expect(new Error('x') instanceof ProgenyError).toBe(false);
    expect({ code: 'X', exitCode: 2, message: 'm' } instanceof ProgenyError).toBe(false);
    expect((null as unknown as object) instanceof ProgenyError).toBe(false);
    expect(new Narrower('USAGE', 'm') instanceof ProgenyError).toBe(true);
    expect(new ProgenyError('USAGE', 'm') instanceof Narrower).toBe(false);
    expect(toProgenyError(new Error('boom')).code).toBe('UNEXPECTED');
  });
});

describe('ProgenyError and the catalogue', () => {
  it('takes its exit code, HTTP status and default hint from the code', () => {
    const e = new ProgenyError('SYNC_PENDING', 'waiting for approval');
    expect([e.exitCode, e.httpStatus]).toEqual([7, 403]);
    // The default hint is plain words with its actions apart (docs/errors.md, "Hints"): no command line in core.
    expect(e.hint).toBe('approve this device from an admin device');
    expect(e.actions).toEqual([{ action: 'device.approve' }]);
    // A thrower's own hint comes with its own actions, never the catalogue's.
    expect(new ProgenyError('SYNC_PENDING', 'w', { hint: 'wait' }).actions).toEqual([]);
    expect(new ProgenyError('LLM_TIMEOUT', 'slow').exitCode).toBe(4);
    expect(new ProgenyError('LLM_TIMEOUT', 'slow').httpStatus).toBe(504);
    expect(new ProgenyError('BENCH_CONNECT', 'refused').exitCode).toBe(8);
  });

  it("keeps a thrower's own hint, and has none where the catalogue has none", () => {
    expect(new ProgenyError('NOT_FOUND', 'x', { hint: 'try y' }).hint).toBe('try y');
    expect(new ProgenyError('USAGE', 'bad flag').hint).toBeUndefined();
    expect(new ProgenyError('USAGE', 'bad flag').toJSON()).toEqual({ code: 'USAGE', message: 'bad flag' });
  });

  it('rebuilds an error from its JSON with the same exit code, whatever side made it', () => {
    const sent = new ProgenyError('LLM_STREAM_CUT', 'cut', { details: { partial: 'hal' } }).toJSON();
    const back = ProgenyError.fromJSON(sent);
    expect(back.toJSON()).toEqual(sent);
    expect([back.exitCode, back.httpStatus]).toEqual([4, 502]);
  });

  it("keeps a hint's actions across the wire, dropping any this version does not know", () => {
    const sent = new ProgenyError('USAGE', 'no', { hint: 'list them', actions: [act('device.approve', { id: 'D1' })] });
    expect(sent.toJSON()).toMatchObject({
      hint: 'list them',
      actions: [{ action: 'device.approve', args: { id: 'D1' } }],
    });
    expect(ProgenyError.fromJSON(sent.toJSON()).toJSON()).toEqual(sent.toJSON());
    const odd = ProgenyError.fromJSON({
      code: 'USAGE',
      message: 'no',
      hint: 'h',
      actions: [{ action: 'format-disk' }, { action: 'sync.pull', args: { n: 1 } }, 'x'],
    });
    expect(odd.actions).toEqual([{ action: 'sync.pull', args: {} }]);
  });

  it('turns an unknown code from the wire into UNEXPECTED and keeps the code it got', () => {
    const back = ProgenyError.fromJSON({ code: 'FROM_THE_FUTURE', message: 'hm' });
    expect(back.code).toBe('UNEXPECTED');
    expect(back.details).toEqual({ code: 'FROM_THE_FUTURE' });
  });
});
