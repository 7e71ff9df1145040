import { expect, it } from 'vitest';
import { lateBound } from './late-bound.js';

it('reads each field from the current object at every read, and only the fields it was given', () => {
  let current = { id: 'a', size: 1, secret: 'x' };
  const view = lateBound(() => current, ['id', 'size'] as const);
  expect(view).toEqual({ id: 'a', size: 1 });
  current = { id: 'b', size: 2, secret: 'y' };
  expect(view.id).toBe('b');
  expect({ ...view }).toEqual({ id: 'b', size: 2 });
  expect('secret' in view).toBe(false);
});
