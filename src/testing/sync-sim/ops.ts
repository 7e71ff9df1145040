/** Random operations on simulated devices, drawn from the seeded source (for convergence property tests). */
import { pick } from './random.js';
import type { SimDevice } from './device.js';

const WORDS = ['tea', 'rain', 'garden', 'chess', 'river', 'lamp', 'violin', 'maps', 'bread', 'stars'];
const phrase = (r: () => number, n: number): string => Array.from({ length: n }, () => pick(r, WORDS)).join(' ');

export function randomOp(d: SimDevice, r: () => number): string {
  const x = r();
  const memIds = d.db.prepare("SELECT id FROM memories WHERE status = 'active' ORDER BY id").pluck().all() as string[];
  if (x < 0.25) {
    d.addMemory(phrase(r, 3));
    return 'memory.add';
  }
  if (x < 0.35 && memIds.length) {
    d.editMemory(pick(r, memIds), phrase(r, 4));
    return 'memory.edit';
  }
  if (x < 0.42 && memIds.length) {
    d.forgetMemory(pick(r, memIds));
    return 'memory.forget';
  }
  if (x < 0.6) {
    const v = pick(r, ['trust', 'warmth', 'arousal', 'valence'] as const);
    d.state.adjust({ [v]: (r() - 0.5) / 5 }, 'sim');
    return 'limbic.adjust';
  }
  if (x < 0.72 && d.heritage.exists()) {
    const cur = d.heritage.current().doc;
    const long = r() < 0.3;
    try {
      d.heritage.update(
        { ...cur, notes: long ? phrase(r, 60) : phrase(r, 5), interests: [phrase(r, 1), phrase(r, 1)] },
        'sim',
      );
    } catch {
      // identical document: refused as a no-op
    }
    return 'heritage.update';
  }
  if (x < 0.95) {
    const conv = d.conversations.latest('creator') ?? d.conversations.create('creator');
    d.conversations.append({
      conversationId: conv.id,
      turnId: `t${Math.floor(r() * 1e6)}`,
      role: r() < 0.5 ? 'user' : 'assistant',
      text: phrase(r, 6),
      status: 'complete',
      meta: {},
    });
    return 'message.append';
  }
  d.devices.rename(d.deviceId, `${d.name} ${phrase(r, 1)}`);
  return 'device.rename';
}
