/** What every command receives: global options, the output module, the home, and a lazily opened engine. */
import type { LocalEngine } from '../core/engine/local-engine.js';
import type { PartialConfig } from '../core/config/load.js';
import type { Paths } from '../core/paths.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  json: boolean;
  home?: string;
  debug: boolean;
  color: boolean;
}

export interface CommandContext {
  globals: GlobalOptions;
  out: Output;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** Aborted on the first Ctrl+C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  /**
   * Opens the engine once per process. A missing home is a usage error unless `create` (commands that write) or
   * `autoInit` (which also creates a default companion on a fresh home: chat, serve). A created home is announced on
   * stderr, unless 'quietly' (init, which says so itself).
   */
  engine(opts?: { autoInit?: boolean; create?: boolean | 'quietly'; flags?: PartialConfig }): Promise<LocalEngine>;
}
