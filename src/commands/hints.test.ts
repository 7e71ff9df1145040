import { describe, expect, it } from 'vitest';
import { ProgenyError } from '../core/errors.js';
import { act, HINT_ACTIONS, type HintActionName } from '../core/hints.js';
import { cliHint, commandOf, deviceIdArg } from './hints.js';

describe('the CLI words of a structured hint', () => {
  it('renders the plain words, then the commands that do them, with their arguments', () => {
    expect(cliHint({ hint: 'check the token', actions: [act('token.show')] })).toBe(
      'check the token: run `progeny token show`',
    );
    expect(cliHint({ text: 'create a vault, or join one', actions: [act('sync.init'), act('sync.join')] })).toBe(
      'create a vault, or join one: run `progeny sync init --relay URL` or `progeny sync join --relay URL --vault ID`',
    );
    // An older device id that starts with "-" is printed after "--".
    expect(commandOf(act('device.approve', { id: '-abc' }))).toBe('progeny device approve -- -abc');
    expect(deviceIdArg('abc')).toBe('abc');
    expect(commandOf(act('config.set', { key: 'llm.apiKey' }))).toBe('progeny config set llm.apiKey <value>');
    expect(commandOf(act('start-model', { provider: 'ollama', url: 'u', model: 'qwen3:8b' }))).toBe(
      'ollama serve`, `ollama pull qwen3:8b',
    );
  });

  it('keeps the words alone when no command does it (an OpenAI-compatible server), or there are no actions', () => {
    expect(cliHint({ text: 'start your server', actions: [act('start-model', { provider: 'openai' })] })).toBe(
      'start your server',
    );
    expect(cliHint({ hint: 'slow down' })).toBe('slow down');
    expect(cliHint({})).toBeUndefined();
  });

  it("renders a catalogue default's actions, and a thrower's own hint with only its own", () => {
    expect(cliHint(new ProgenyError('NO_HERITAGE', 'no companion'))).toBe(
      'create the companion first: run `progeny init`',
    );
    expect(cliHint(new ProgenyError('NO_HERITAGE', 'no companion', { hint: 'ask the owner' }))).toBe('ask the owner');
  });

  it('has a command line for every action that names a progeny command', () => {
    for (const name of Object.keys(HINT_ACTIONS) as HintActionName[]) {
      const line = commandOf(act(name));
      if (name === 'start-model' || name === 'pull-model') continue;
      expect(line, name).toMatch(/^progeny [a-z]/);
    }
  });
});
