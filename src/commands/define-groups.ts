/**
 * The definitions of the command groups config, token, sync, device, state and heritage (flags and their typed
 * parsers only; the implementations load when they run). src/cli.ts defines a group's subcommands only when the
 * command line names that group.
 */
import { Argument, type Command } from 'commander';
import { intOption, secondsOption } from './options.js';
import type { Runner } from './runner.js';

export function addConfigCommands(config: Command, run: Runner): void {
  config
    .command('get')
    .argument('<key>')
    .description('print one setting and where it comes from')
    .action(run('config/get'));
  config
    .command('set')
    .argument('<key>')
    .argument('<value>')
    .description('set one setting in the config file')
    .action(run('config/set'));
  config
    .command('unset')
    .argument('<key>')
    .description('remove a setting from the config file')
    .action(run('config/unset'));
  config.command('list').description('every setting with its value, source and meaning').action(run('config/list'));
  config.command('path').description('print the config file path').action(run('config/path'));
}

export function addTokenCommands(token: Command, run: Runner): void {
  token
    .command('add')
    .argument('<name...>', 'who the token is for')
    .requiredOption(
      '--caps <list>',
      'capabilities: chat, memory:read, memory:write, state:write, sync:push, sync:pull, admin',
    )
    .description('create a token (printed once)')
    .action(run('token/add'));
  token
    .command('list')
    .option('--all', 'include revoked tokens')
    .description('the tokens and their capabilities')
    .action(run('token/list'));
  token
    .command('revoke')
    .argument('<id>')
    .description('revoke a token, immediately and permanently')
    .action(run('token/revoke'));
  token
    .command('caps')
    .argument('<id>')
    .argument('<capabilities>')
    .description("replace a token's capabilities")
    .action(run('token/caps'));
}

/** The sync commands that talk to the relay retry within a time budget (push, pull, recover). */
const withRetryBudget = (c: Command): Command =>
  c.option('--budget <seconds>', 'time allowed for retries, in seconds', secondsOption, 60);

export function addSyncCommands(sync: Command, run: Runner): void {
  const pass = '--passphrase-stdin';
  const passDoc = 'read the passphrase from stdin (else PROGENY_SYNC_PASSPHRASE or a prompt)';
  sync
    .command('init')
    .option('--relay <url>', 'the relay (a `progeny serve`)')
    .option('--name <name>', 'this device’s name')
    .option(pass, passDoc)
    .description('create a vault on a relay; this device becomes its admin')
    .action(run('sync/init'));
  sync
    .command('join')
    .option('--relay <url>', 'the relay')
    .option('--vault <id>', 'the vault id')
    .option('--name <name>', 'this device’s name')
    .option(pass, passDoc)
    .description('join a vault with its passphrase (an admin device approves)')
    .action(run('sync/join'));
  withRetryBudget(sync.command('push')).description('seal and send local changes').action(run('sync/push'));
  withRetryBudget(sync.command('pull'))
    .description('fetch, verify and apply other devices’ changes')
    .action(run('sync/pull'));
  sync
    .command('status')
    .description('pending changes, last push/pull, head, alarms (and what to do), devices')
    .action(run('sync/status'));
  withRetryBudget(sync.command('recover'))
    .description('after an alarm: clear the alarms and read the relay’s log again from its newest verified snapshot')
    .action(run('sync/recover'));
  sync
    .command('snapshot')
    .description('write a snapshot so new devices start from it (after a complete pull)')
    .action(run('sync/snapshot'));
  sync
    .command('passphrase')
    .description('change the vault passphrase (re-wraps the root key only)')
    .action(run('sync/passphrase'));
}

export function addDeviceCommands(device: Command, run: Runner): void {
  device
    .command('list')
    .option('--offline', 'do not refresh from the relay')
    .description('the vault’s devices and pending joins')
    .action(run('device/list'));
  device
    .command('pair')
    .option('--accept <code>', 'on an admin device: accept the pairing code shown by the new device')
    .option('--relay <url>', 'the relay')
    .option('--name <name>', 'this device’s name')
    .option('-y, --yes', 'accept without asking (after comparing the short strings)')
    .description('pair a new device without the passphrase (short authentication string)')
    .action(run('device/pair'));
  device
    .command('approve')
    .argument('<id>')
    .option('--admin', 'make it an admin device too')
    .description('admit a device that joined with the passphrase')
    .action(run('device/approve'));
  device
    .command('revoke')
    .argument('<id>')
    .option('-y, --yes', 'do not ask')
    .option('--new-passphrase', 'ask for a new vault passphrase (or set PROGENY_SYNC_NEW_PASSPHRASE)')
    .description('revoke a device (active or pending) permanently and rotate the keys; the old passphrase is retired')
    .action(run('device/revoke'));
  device.command('reject').argument('<id>').description('drop a pending join request').action(run('device/reject'));
  device
    .command('caps')
    .argument('<id>')
    .argument('<capabilities>', 'comma-separated, e.g. chat,memory:read,sync:pull')
    .description('set a vault device’s capabilities (a signed device-log entry)')
    .action(run('device/caps'));
  device
    .command('rename')
    .argument('<id>')
    .argument('<name...>')
    .description('rename a device')
    .action(run('device/rename'));
}

export function addStateCommands(state: Command, run: Runner): void {
  state.command('show').description('the current limbic state').action(run('state/show'));
  state
    .command('why')
    .addArgument(
      new Argument('[variable]', 'which variable').choices([
        'trust',
        'warmth',
        'arousal',
        'valence',
        'posture',
        'elastic',
      ]),
    )
    .option('-n, --limit <n>', 'how many changes', intOption(1, 1000), 10)
    .description('the recent changes and their causes')
    .action(run('state/why'));
  state
    .command('reset')
    .option('-y, --yes', 'do not ask')
    .description('reset trust, warmth, arousal and valence to their defaults')
    .action(run('state/reset'));
}

export function addHeritageCommands(heritage: Command, run: Runner): void {
  heritage
    .command('show')
    .option('--version <n>', 'an older version', intOption(1, Number.MAX_SAFE_INTEGER))
    .option('--summary', 'the identity summary used in prompts')
    .description('show the heritage')
    .action(run('heritage/show'));
  heritage
    .command('edit')
    .option('-f, --file <file>', 'a whole heritage JSON document (- for stdin)')
    .option('--set <field=value...>', 'change fields (lists: comma-separated)')
    .option('--reason <why>', 'why it changed')
    .option(
      '--allow-base-change',
      'allow changing the immutable base (name, creator, directive, traits, values, boundaries)',
    )
    .description('change the heritage (a new version; $EDITOR on a TTY without --file/--set)')
    .action(run('heritage/edit'));
  heritage
    .command('history')
    .description('every version with its reason, trust and changed fields')
    .action(run('heritage/history'));
  heritage
    .command('restore')
    .argument('<version>', 'the version to restore', intOption(1, Number.MAX_SAFE_INTEGER))
    .option('--reason <why>')
    .description('restore an older version (as a new version)')
    .action(run('heritage/restore'));
}
