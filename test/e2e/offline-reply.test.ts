/**
 * The offline reply offers only memories that answer (docs/memory-recall.md, "The offline reply's bar"), with the
 * built-in model for real: a related memory found by meaning alone is offered, unrelated ones are not, and a question
 * about something never said gets "I don't remember".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, type Home } from './cli-harness.js';

describe('the offline reply, with the built-in model', () => {
  let home: Home;
  beforeAll(async () => {
    home = makeHome();
    await home.json(['init']);
    for (const text of [
      'I adopted a kitten last weekend, her name is Miso',
      'The train to Lyon leaves at noon',
      'My sister Ana lives in Porto',
    ])
      await home.json(['memory', 'add', text]);
  }, 60_000);
  afterAll(() => home.cleanup());

  const reply = async (message: string) => {
    const r = await home.run(['chat', '-m', message], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  // Asked first: each chat turn becomes a memory too.
  it('a question about something never said offers none of them', async () => {
    const out = await reply('what is the capital of Peru?');
    expect(out).toMatch(/I don't remember anything about this yet/);
    expect(out).not.toMatch(/kitten|Lyon|Porto/);
  }, 60_000);

  it('a question in other words offers the memory that answers it, and not the unrelated ones', async () => {
    const out = await reply('we got a new cat');
    expect(out).toMatch(/- I adopted a kitten last weekend, her name is Miso/);
    expect(out).not.toMatch(/Lyon|Porto/);
  }, 60_000);
});
