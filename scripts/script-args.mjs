// The options of the scripts in scripts/: node:util's parseArgs, with --help, and a mistyped option answered with
// the script's usage line and exit 2 (as progeny's own usage errors) instead of a stack trace.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/** @param {import('node:util').ParseArgsConfig} config @param {string} usage */
export function scriptArgs(config, usage) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args });
  } catch (err) {
    console.error(`${basename(process.argv[1] ?? 'script')}: ${err instanceof Error ? err.message : err}`);
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
}
