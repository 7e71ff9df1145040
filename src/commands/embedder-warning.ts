/**
 * One warning on stderr when the built-in semantic model cannot load during a command and the hash embedder takes
 * over (docs/embeddings.md, "Fallback"): what the command then prints was found by words (and hash vectors), and a
 * one-shot command is where the user would otherwise never hear of it. The TUI says it inside its screen instead.
 * Likewise when the provider embedder does not embed a recall query (docs/memory-recall.md, "When the vectors
 * cannot be used"): once per outage.
 */
import type { Engine } from '../core/engine/engine.js';
import type { CommandContext } from './context.js';

export function warnOnEmbedderFallback(
  ctx: Pick<CommandContext, 'out'>,
  engine: Pick<Engine, 'subscribe'>,
): () => void {
  return engine.subscribe((n) => {
    if (n.type !== 'embedder') return;
    if (n.state === 'unavailable')
      ctx.out.warn(
        `memory: ${n.detail}; finding memories by their words meanwhile`,
        'start the model server, or check embedder.model; `progeny doctor` says more',
      );
    else
      ctx.out.warn(
        `memory: ${n.detail}; embedding with ${n.id} meanwhile, and finding memories by their words`,
        'run `progeny doctor`; reinstalling progeny (`npm ci`) restores the model files',
      );
  });
}
