import { afterEach, describe, expect, it } from 'vitest';
import { createSim, type Sim } from './sim.js';

describe('sync simulator: basics', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('two devices converge on heritage, state, memories, messages and devices', async () => {
    sim = await createSim({ seed: 1, devices: 2 });
    await sim.setupVault();
    const [a, b] = sim.devices as [NonNullable<Sim['devices'][0]>, NonNullable<Sim['devices'][0]>];
    a.addMemory('the creator likes tea');
    a.state.adjust({ trust: 0.1 }, 'test');
    const conv = a.conversations.create('creator');
    a.conversations.append({
      conversationId: conv.id,
      turnId: 't1',
      role: 'user',
      text: 'hello',
      status: 'complete',
      meta: {},
    });
    await a.sync.sync();
    const rep = await b.sync.sync();
    expect(rep.pull.applied).toBeGreaterThan(0);
    await a.sync.sync();
    expect(b.dump()).toBe(a.dump());
    expect(b.heritage.current().doc.name).toBe(a.heritage.current().doc.name);
    expect(b.state.read().trust).toBeCloseTo(a.state.read().trust, 10);
    const st = await a.sync.status();
    expect(st.pendingChanges).toBe(0);
    expect(st.alarms).toEqual([]);
  });
});
