/** Helpers for the TUI's component tests: poll for a condition (machines are slow and shared), strip colours. */

export const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, show?: () => string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${cond.toString()}${show ? `; screen:\n${show()}` : ''}`);
    await tick(10);
  }
}

// eslint-disable-next-line no-control-regex -- stripping colour escapes (bold survives NO_COLOR)
export const strip = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
