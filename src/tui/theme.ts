/**
 * Colours for the chat screen. NO_COLOR (any non-empty value) drops colours but keeps bold/italic/underline, which
 * carry meaning (headings, emphasis); light and dark terminals get palettes with readable contrast.
 */
export type ThemeName = 'dark' | 'light' | 'none';

type Paint = (s: string) => string;

export interface Theme {
  name: ThemeName;
  /** Ink colour names for components (undefined = the terminal's default). */
  ink: { accent?: string; user?: string; assistant?: string; dim?: string; error?: string; warn?: string; ok?: string };
  bold: Paint;
  italic: Paint;
  underline: Paint;
  strike: Paint;
  dim: Paint;
  heading: Paint;
  code: Paint;
  quote: Paint;
  link: Paint;
  keyword: Paint;
  string: Paint;
  comment: Paint;
  number: Paint;
}

const sgr =
  (on: string, off: string): Paint =>
  (s) =>
    s ? `\x1b[${on}m${s}\x1b[${off}m` : s;
const plain: Paint = (s) => s;

const shared = { bold: sgr('1', '22'), italic: sgr('3', '23'), underline: sgr('4', '24'), strike: sgr('9', '29') };

/** SGR foreground codes of a coloured palette (each reset by 39, the default foreground). */
interface Palette {
  heading: string;
  code: string;
  link: string;
  keyword: string;
  string: string;
  number: string;
}

/** A coloured theme: quotes and comments grey in both, headings bold and links underlined in their colour. */
function coloured(name: ThemeName, ink: Theme['ink'], p: Palette): Theme {
  const fg = (code: string): Paint => sgr(code, '39');
  return {
    name,
    ink,
    ...shared,
    dim: sgr('2', '22'),
    heading: (s) => shared.bold(fg(p.heading)(s)),
    code: fg(p.code),
    quote: fg('90'),
    link: (s) => shared.underline(fg(p.link)(s)),
    keyword: fg(p.keyword),
    string: fg(p.string),
    comment: fg('90'),
    number: fg(p.number),
  };
}

const INK = { assistant: 'magenta', dim: 'gray', error: 'red', warn: 'yellow', ok: 'green' };

export const THEMES: Record<ThemeName, Theme> = {
  dark: coloured(
    'dark',
    { accent: 'cyan', user: 'cyan', ...INK },
    { heading: '96', code: '93', link: '94', keyword: '95', string: '92', number: '96' },
  ),
  light: coloured(
    'light',
    { accent: 'blue', user: 'blue', ...INK },
    { heading: '34', code: '31', link: '34', keyword: '35', string: '32', number: '36' },
  ),
  none: {
    name: 'none',
    ink: {},
    ...shared,
    dim: plain,
    heading: shared.bold,
    code: plain,
    quote: plain,
    link: shared.underline,
    keyword: plain,
    string: plain,
    comment: plain,
    number: plain,
  },
};

/**
 * NO_COLOR wins; then an explicit choice (config ui.theme, env PROGENY_UI_THEME); then COLORFGBG ("fg;bg", set by many
 * terminals: a background of 7 or 15 is light); dark otherwise.
 */
export function pickTheme(env: NodeJS.ProcessEnv, configured: string = 'auto', color = true): Theme {
  if (!color || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return THEMES.none;
  if (configured === 'light' || configured === 'dark' || configured === 'none') return THEMES[configured];
  const bg = Number(env.COLORFGBG?.split(';').pop());
  return bg === 7 || bg === 15 ? THEMES.light : THEMES.dark;
}
