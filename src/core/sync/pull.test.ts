/** Pull's session state (issue 14): the cursor-post throttle belongs to a sync session, not to the module. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSim, type Sim } from '../../testing/sync-sim/sim.js';

describe('pull', () => {
  let sim: Sim;
  afterEach(async () => sim?.close());

  it('each device tells the relay its cursor: one device’s post does not throttle another’s in the same process', async () => {
    sim = await createSim({ seed: 21, devices: 2 });
    await sim.setupVault();
    await sim.quiesce(2);
    const cursors = sim.store.db.prepare('SELECT device_id FROM cursors ORDER BY device_id').pluck().all();
    expect(cursors).toEqual(sim.devices.map((d) => d.deviceId).sort());
  });
});
