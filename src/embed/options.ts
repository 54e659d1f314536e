/**
 * An embedded playground's options, read from its attributes (the element)
 * or its URL parameters (the iframe form): every value checked, a bad one
 * reported in words and replaced by its default, never thrown.
 */
import { isLang, LANGS, type Lang } from '../i18n/lang.ts';

export const PANELS = ['topology', 'shell', 'inspector', 'log'] as const;
export type Panel = (typeof PANELS)[number];

export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 10;

export interface EmbedOptions {
  /** The inline shell script (text content or `scenario`), or null. */
  scenario: string | null;
  /** A URL to fetch the script from, or null (ignored when `scenario` is given). */
  src: string | null;
  panels: Panel[];
  autoplay: boolean;
  /** 0.1 to 10 (× real time). */
  speed: number;
  /** Read-only: no shell input, no editing, only playback controls. */
  player: boolean;
  /** A CSS length. */
  height: string;
  theme: Theme;
  lang: Lang;
  /** Goal lines from the `goals` attribute (one a line). */
  goals: string[];
}

/** Every attribute (and URL parameter) an embed reads. */
export const ATTRIBUTES = ['scenario', 'src', 'panels', 'autoplay', 'speed', 'player', 'height', 'theme', 'lang', 'goals'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export interface OptionProblem {
  attribute: Attribute;
  value: string;
  message: string;
}

export const DEFAULTS: EmbedOptions = {
  scenario: null,
  src: null,
  panels: ['topology', 'shell', 'log'],
  autoplay: false,
  speed: 1,
  player: false,
  height: '480px',
  theme: 'auto',
  lang: 'en',
  goals: [],
};

const LENGTH = /^(\d+(?:\.\d+)?)(px|em|rem|vh|svh|dvh)?$/;

/** Boolean attributes are on when present, unless written `false` or `no` (as a URL parameter may be). */
function flag(value: string | null): boolean {
  if (value === null) return false;
  return !['false', 'no', '0', 'off'].includes(value.trim().toLowerCase());
}

/**
 * Reads the options: `get(name)` gives an attribute's (or parameter's) value
 * or null when absent; `fallbackLang` is used when `lang` is absent (the host
 * page's language, when it is one of ours).
 */
export function readOptions(get: (name: Attribute) => string | null, fallbackLang: string | null = null): { options: EmbedOptions; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const options: EmbedOptions = { ...DEFAULTS, panels: [...DEFAULTS.panels] };
  const problem = (attribute: Attribute, value: string, message: string) => problems.push({ attribute, value, message });

  const scenario = get('scenario');
  if (scenario !== null && scenario.trim()) options.scenario = scenario;
  const src = get('src');
  if (src !== null && src.trim()) options.src = src.trim();

  const panels = get('panels');
  if (panels !== null) {
    const names = panels.split(/[\s,]+/).filter(Boolean);
    const unknown = names.filter((n) => !(PANELS as readonly string[]).includes(n));
    if (unknown.length) problem('panels', panels, `unknown panel ${unknown.map((n) => `'${n}'`).join(', ')} (panels are ${PANELS.join(', ')})`);
    const known = PANELS.filter((p) => names.includes(p));
    if (known.length) options.panels = known;
    else if (!unknown.length) problem('panels', panels, `no panel named (panels are ${PANELS.join(', ')})`);
  }

  options.autoplay = flag(get('autoplay'));
  options.player = flag(get('player'));

  const speed = get('speed');
  if (speed !== null) {
    const n = Number(speed.trim().replace(/x$/i, ''));
    if (!speed.trim() || !Number.isFinite(n) || n < MIN_SPEED || n > MAX_SPEED) problem('speed', speed, `speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}`);
    else options.speed = n;
  }

  const height = get('height');
  if (height !== null) {
    const m = LENGTH.exec(height.trim());
    if (!m || Number(m[1]) <= 0) problem('height', height, 'height must be a length such as 400, 400px, 30em or 60vh');
    else options.height = m[2] ? height.trim() : `${m[1]}px`;
  }

  const theme = get('theme');
  if (theme !== null) {
    const v = theme.trim().toLowerCase();
    if ((THEMES as readonly string[]).includes(v)) options.theme = v as Theme;
    else problem('theme', theme, `theme must be one of ${THEMES.join(', ')}`);
  }

  const lang = get('lang');
  if (lang !== null) {
    const base = lang.trim().toLowerCase().split('-')[0];
    if (isLang(base)) options.lang = base;
    else problem('lang', lang, `lang must be one of ${LANGS.join(', ')}`);
  } else {
    const base = fallbackLang?.trim().toLowerCase().split('-')[0];
    if (isLang(base)) options.lang = base;
  }

  const goals = get('goals');
  if (goals !== null) options.goals = goals.split('\n').map((g) => g.trim()).filter((g) => g && !g.startsWith('#'));

  return { options, problems };
}

/** The attribute's name in a problem's message, as the host page author wrote it. */
export const describeProblem = (p: OptionProblem): string => `${p.attribute}="${p.value}": ${p.message}`;
