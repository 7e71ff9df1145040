/** The exit-code table printed by `progeny --help`; src/commands/exit-codes.test.ts checks the README documents it. */
import { ExitCode } from '../core/errors.js';

export const EXIT_CODE_MEANINGS: Record<keyof typeof ExitCode, string> = {
  ok: 'success',
  unexpected: 'unexpected error (a bug: run again with --debug)',
  usage: 'usage: bad flags or arguments, unknown id, invalid input',
  config: 'configuration: invalid or unreadable config',
  llm: 'LLM or network: model server unreachable or misbehaving',
  store: 'store: database locked, corrupt or unwritable',
  sync: 'sync or crypto failure',
  auth: 'authentication or permission refused',
  environment: 'environment: a server or process the command needs is unreachable or did not start',
  benchThreshold: 'bench: a --threshold was breached',
  benchRegression: 'bench: a case regressed beyond --max-regression of the --baseline',
  benchInvalid: 'bench: the measurement is invalid (failed calls, too few samples, a saturated or late load generator)',
  interrupted: 'interrupted (Ctrl+C)',
};

export const EXIT_CODE_HELP = `Exit codes:\n${(Object.keys(ExitCode) as (keyof typeof ExitCode)[])
  .map((k) => `  ${String(ExitCode[k]).padStart(3)}  ${EXIT_CODE_MEANINGS[k]}`)
  .join('\n')}`;
