/**
 * Finding a form option in what people type: the option's own words (typos allowed), its number in
 * the list, or a common synonym ("mac" → macOS, "admin" → Administrator, "dock" → Docking station).
 * An option counts only when all words of one of its names occur; the longest name wins, and two
 * options tied on the same words are left for the person to choose.
 */
import { containsPhrase, sameWord, tokens } from './words.js';

/** Synonyms by option (lower-case). Admins' own options are matched by their words alone. */
const SYNONYMS: Record<string, string[]> = {
  'new starter': ['new starter', 'new hire', 'new joiner', 'new employee', 'joining', 'onboarding'],
  'replacement (broken)': ['broken', 'broke', 'damaged', 'cracked', 'dead', 'not working', 'stolen', 'lost'],
  'replacement (old)': ['old', 'slow', 'outdated', 'ancient', 'aging', 'end of life'],
  'additional device': ['additional', 'second laptop', 'extra', 'another laptop', 'spare'],
  'standard 14"': ['standard laptop', '14 inch', '14"'],
  'performance 16"': ['performance', '16 inch', '16"', 'powerful'],
  'macbook air': ['macbook air', 'mac air'],
  'macbook pro': ['macbook pro', 'mac pro'],
  macos: ['macos', 'mac os', 'osx', 'os x', 'apple', 'mac'],
  windows: ['windows', 'win 11', 'win11', 'pc'],
  linux: ['linux', 'ubuntu', 'fedora'],
  'docking station': ['docking station', 'dock', 'docking'],
  'keyboard and mouse': ['keyboard', 'mouse'],
  headset: ['headset', 'headphones'],
  laptop: ['laptop', 'notebook', 'macbook', 'thinkpad', 'computer'],
  monitor: ['monitor', 'monitors', 'external screen'],
  'read only': ['read only', 'readonly', 'read-only', 'view only', 'viewer'],
  'standard user': [
    'standard user',
    'standard access',
    'normal user',
    'regular user',
    'user access',
    'normal access',
  ],
  administrator: ['administrator', 'admin', 'full access', 'admin rights'],
  'adobe cc': ['adobe', 'creative cloud', 'photoshop', 'illustrator', 'indesign'],
  'slack enterprise': ['slack'],
  github: ['github', 'git hub'],
  remote: ['remote', 'from home', 'home office', 'wfh'],
  office: ['office', 'on site', 'onsite', 'in the office'],
  // "mostly in the office, 2 days from home" names both places: at worst a tie, asked again.
  hybrid: ['hybrid', 'days from home', 'days at home', 'partly remote', 'office and home', 'home and office'],
  hr: ['hr', 'human resources', 'people team'],
  engineering: ['engineering', 'engineer', 'developer', 'development', 'r&d'],
  sales: ['sales'],
  marketing: ['marketing'],
  finance: ['finance', 'accounting', 'accounts payable'],
  high: ['high', 'big', 'major', 'severe'],
  medium: ['medium', 'moderate', 'normal'],
  low: ['low', 'small', 'minor'],
};

function namesOf(option: string): string[] {
  const own = option.toLowerCase();
  return [own, ...(SYNONYMS[own] ?? [])];
}

interface Hit {
  option: string;
  /** Words of the name that matched: longer names are more specific. */
  length: number;
}

function hitsIn(words: readonly string[], options: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  for (const option of options) {
    let best = 0;
    for (const name of namesOf(option)) {
      const n = tokens(name).length;
      if (n > best && containsPhrase(words, name)) best = n;
    }
    if (best > 0) hits.push({ option, length: best });
  }
  return hits;
}

/**
 * The one option the text names; `null` when none or when two are equally likely.
 * A bare number picks by position ("2" → the second option).
 */
export function matchOption(text: string, options: readonly string[]): string | null {
  const t = text.trim().toLowerCase();
  const index = /^#?(\d{1,2})[.)]?$/.exec(t);
  if (index) return options[Number(index[1]) - 1] ?? null;
  const exact = options.find((o) => o.toLowerCase() === t);
  if (exact) return exact;
  const words = tokens(text);
  const hits = hitsIn(words, options);
  if (hits.length === 0) return partOfOne(words, options);
  const longest = Math.max(...hits.map((h) => h.length));
  const best = hits.filter((h) => h.length === longest);
  // "macbook air" names both the MacBook Air and (by its "mac" synonym) macOS: keep the more specific.
  return best.length === 1 ? (best[0]?.option ?? null) : null;
}

/**
 * Words people wrap an answer in ("standard is fine", "I think the admin one please"): they name no
 * option, so they are left out before the option's words are looked for, unless an option uses them.
 */
const FILLER = new Set(
  `i id im think guess suppose say would will be is are its it that this the a an one ones option choice
  level fine good great ok okay perfect please pls thanks thank you just go with take choose pick prefer
  probably maybe perhaps enough works work for me lets let sure yes yeah yep should do`.split(/\s+/),
);

/** "standard" → "Standard user": the typed words are part of exactly one option's name. */
function partOfOne(typed: readonly string[], options: readonly string[]): string | null {
  const optionWords = new Set(options.flatMap((o) => tokens(o)));
  const words = typed.filter((w) => !FILLER.has(w) || optionWords.has(w));
  if (words.length === 0 || words.length > 3 || words.some((w) => w.length < 3)) return null;
  const within = options.filter((o) => {
    const name = tokens(o);
    return words.every((w) => name.some((n) => sameWord(w, n)));
  });
  return within.length === 1 ? (within[0] ?? null) : null;
}

/** Every option the text names ("laptop and a monitor please" → Laptop, Monitor), in list order. */
export function matchOptions(text: string, options: readonly string[]): string[] {
  const parts = text
    .split(/\s*(?:,|;|&|\+|\band\b|\bplus\b)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const chosen = new Set<string>();
  for (const part of parts) {
    const byIndex = /^#?(\d{1,2})[.)]?$/.exec(part);
    if (byIndex) {
      const o = options[Number(byIndex[1]) - 1];
      if (o) chosen.add(o);
      continue;
    }
    for (const h of hitsIn(tokens(part), options)) chosen.add(h.option);
  }
  return options.filter((o) => chosen.has(o));
}
