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

export const THEMES: Record<ThemeName, Theme> = {
  dark: {
    name: 'dark',
    ink: { accent: 'cyan', user: 'cyan', assistant: 'magenta', dim: 'gray', error: 'red', warn: 'yellow', ok: 'green' },
    ...shared,
    dim: sgr('2', '22'),
    heading: (s) => shared.bold(sgr('96', '39')(s)),
    code: sgr('93', '39'),
    quote: sgr('90', '39'),
    link: (s) => shared.underline(sgr('94', '39')(s)),
    keyword: sgr('95', '39'),
    string: sgr('92', '39'),
    comment: sgr('90', '39'),
    number: sgr('96', '39'),
  },
  light: {
    name: 'light',
    ink: { accent: 'blue', user: 'blue', assistant: 'magenta', dim: 'gray', error: 'red', warn: 'yellow', ok: 'green' },
    ...shared,
    dim: sgr('2', '22'),
    heading: (s) => shared.bold(sgr('34', '39')(s)),
    code: sgr('31', '39'),
    quote: sgr('90', '39'),
    link: (s) => shared.underline(sgr('34', '39')(s)),
    keyword: sgr('35', '39'),
    string: sgr('32', '39'),
    comment: sgr('90', '39'),
    number: sgr('36', '39'),
  },
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
