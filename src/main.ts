/**
 * The one error boundary of the CLI: every ProgenyError (and anything else thrown) becomes one line and a hint on
 * stderr (or a JSON error object on stdout with --json) and the documented exit code; the stack only with --debug.
 */
import { ExitCode, toProgenyError } from './core/errors.js';
import { buildProgram, commanderToProgeny, useBundleLoader, type BundleLoader, type Runtime } from './cli.js';
import { Output } from './commands/output.js';

function sniffGlobals(argv: string[]): { json: boolean; debug: boolean; color: boolean } {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const flags = end >= 0 ? args.slice(0, end) : args;
  return {
    json: flags.includes('--json'),
    debug: flags.includes('--debug') || process.env.PROGENY_DEBUG === '1',
    color: !flags.includes('--no-color'),
  };
}

/** A reader that went away (`progeny memory list | head`) is not an error: stop quietly instead of a stack trace. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/**
 * Runs `hook` on process.stdout or process.stderr when something first creates it, instead of creating it now: a
 * command whose output goes to a file or a pipe writes to the descriptor and never needs the stream (fd-write.ts).
 */
function whenCreated(name: 'stdout' | 'stderr', hook: (stream: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  const create = own?.get;
  if (!create || !own.configurable) return hook(process[name]);
  let hooked = false;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? false,
    get(): NodeJS.WriteStream {
      const stream = create.call(process) as NodeJS.WriteStream;
      if (!hooked) {
        hooked = true;
        hook(stream);
      }
      return stream;
    },
  });
}

/** `loadBundle`: how bin/progeny.js loads dist/commands.cjs (with V8's code cache); plain require() without it. */
export async function main(argv: string[], loadBundle?: BundleLoader): Promise<void> {
  if (loadBundle) useBundleLoader(loadBundle);
  whenCreated('stdout', exitQuietlyOnClosedPipe);
  whenCreated('stderr', exitQuietlyOnClosedPipe);
  const sniffed = sniffGlobals(argv);
  const runtime: Runtime = { out: new Output({ json: sniffed.json, color: sniffed.color }), exitCode: 0, cleanup: [] };
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    // The first SIGINT or SIGTERM cancels the command gracefully (a partial reply is kept); a second one exits now.
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    runtime.exitCode = ExitCode.interrupted;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const program = buildProgram(runtime, controller.signal, argv);
    await program.parseAsync(argv);
  } catch (err) {
    const mapped = commanderToProgeny(err, argv.slice(2));
    if (mapped === 'exit-ok') return;
    const e = mapped ?? toProgenyError(err);
    runtime.out.error(e, sniffed.debug);
    runtime.exitCode = e.exitCode;
  } finally {
    for (const fn of runtime.cleanup.reverse()) {
      try {
        await fn();
      } catch (err) {
        runtime.out.error(toProgenyError(err), sniffed.debug);
        if (!runtime.exitCode) runtime.exitCode = toProgenyError(err).exitCode;
      }
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = runtime.exitCode;
}
