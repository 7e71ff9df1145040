import type { ParseArgsConfig, parseArgs } from 'node:util';

/** node:util's parseArgs with --help and a usage line on a mistyped option (exit 2): scripts/script-args.mjs. */
export function scriptArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>>;
