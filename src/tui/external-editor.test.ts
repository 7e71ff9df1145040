import { describe, expect, it } from 'vitest';
import { editExternally, editorCommand } from './external-editor.js';

describe('$EDITOR', () => {
  it('runs $VISUAL or $EDITOR (with its arguments) on a file holding the text, and reads back what it saved', () => {
    const editor = `sh -c 'cat "$1" > "$1.seen"; printf "%s\\n" "$(cat "$1") and more" > "$1"' --`;
    expect(editExternally('first draft', { EDITOR: editor, PATH: process.env.PATH ?? '' })).toEqual({
      text: 'first draft and more',
    });
    expect(editorCommand({ VISUAL: 'nano', EDITOR: 'vi' })).toBe('nano');
    expect(editorCommand({})).toBe('vi');
  });
  it('an editor that fails leaves the input as it was, and says why', () => {
    const r = editExternally('keep me', { EDITOR: 'false', PATH: process.env.PATH ?? '' });
    expect(r.text).toBeNull();
    expect(r.error).toMatch(/false exited with status 1/);
  });
});
