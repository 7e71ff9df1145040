/**
 * The limbic state suite: a read (cached row, decay applied) and persisted updates through the limbic service — an
 * explicit adjustment and a whole turn's perception — each one immediate transaction with its cause log and sync
 * journal rows, on the real store (WAL, synchronous=FULL), as the engine does them.
 */
import { systemClock } from '../../core/clock.js';
import { createLimbicService } from '../../core/limbic/service.js';
import { perceive } from '../../core/limbic/perceive.js';
import { pathsFor } from '../../core/paths.js';
import { openDatabase } from '../../core/store/db.js';
import { createJournal } from '../../core/sync/journal.js';
import { seededRandom } from '../../core/random.js';
import type { BenchSuite } from '../suite.js';

const MESSAGES = [
  'thanks, that really helped me today',
  'I am so stressed about the deadline tomorrow',
  'how does the memory index work?',
  'whatever, never mind',
  'I had a lovely walk by the river this morning',
];

export const suite: BenchSuite = {
  name: 'state',
  async setup(ctx) {
    const db = openDatabase(pathsFor(ctx.dir).db);
    const journal = createJournal(db, systemClock, `bench-${ctx.seed}`);
    const limbic = createLimbicService(db, journal, systemClock, {
      maxDelta: 0.1,
      elasticMaxDelta: 0.3,
      reunionHours: 48,
    });
    const rnd = seededRandom(ctx.seed);
    const perceptions = MESSAGES.map(perceive);
    let sign = 1;
    let turn = 0;
    return {
      cases: [
        { name: 'state.read', op: () => limbic.read() },
        {
          name: 'state.update',
          op: () => {
            sign = -sign; // alternate so the state stays in range however long the run
            return limbic.adjust({ warmth: sign * 0.01 * (0.5 + rnd()) }, 'bench');
          },
        },
        {
          name: 'state.turn',
          op: () => limbic.applyTurn(perceptions[turn++ % perceptions.length]!, `bench-turn-${turn}`),
        },
      ],
      async close() {
        db.close();
      },
    };
  },
};
