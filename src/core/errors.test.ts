import { describe, expect, it } from 'vitest';
import type * as ErrorsModule from './errors.js';
import { ProgenyError, toProgenyError } from './errors.js';

class Narrower extends ProgenyError {}

describe('ProgenyError identity', () => {
  it('is recognised across two copies of the module (the bundled CLI entry and dist/ each load one)', async () => {
    // A query string makes the module loader evaluate a second, independent copy of errors.ts.
    const secondCopy = './errors.js?second-copy';
    const other = (await import(/* @vite-ignore */ secondCopy)) as typeof ErrorsModule;
    expect(other.ProgenyError).not.toBe(ProgenyError);
    const fromOtherCopy = new other.ProgenyError('NOT_FOUND', 'memory x not found', {
      exit: 'usage',
      hint: 'list them',
    });
    expect(fromOtherCopy instanceof ProgenyError).toBe(true);
    const mapped = toProgenyError(fromOtherCopy);
    expect(mapped).toBe(fromOtherCopy);
    expect(mapped.code).toBe('NOT_FOUND');
  });

  it('does not claim plain errors, look-alikes or a base error for a subclass', () => {
    expect(new Error('x') instanceof ProgenyError).toBe(false);
    expect({ code: 'X', exitCode: 2, message: 'm' } instanceof ProgenyError).toBe(false);
    expect((null as unknown as object) instanceof ProgenyError).toBe(false);
    expect(new Narrower('X', 'm') instanceof ProgenyError).toBe(true);
    expect(new ProgenyError('X', 'm') instanceof Narrower).toBe(false);
    expect(toProgenyError(new Error('boom')).code).toBe('UNEXPECTED');
  });
});
