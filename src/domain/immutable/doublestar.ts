/**
 * Doublestar patterns, with the semantics of github.com/bmatcuk/doublestar v1 (the version Harbor's
 * tag retention and immutability selectors use), over '/'-separated names:
 *   `*` any run of characters within one path component, `?` one character (never '/'),
 *   `[a-z]`, `[^a-z]` a character class, `{a,b}` alternatives (nested, may contain '/'),
 *   `**` as a whole component: any number of components (at the end: one or more),
 *   `\c` the character c.
 * Written as component-wise matching with the classic last-star wildcard algorithm instead of a
 * regular expression, so no pattern a project admin writes can make a push backtrack for long.
 */

export class BadPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadPatternError';
  }
}

type Atom =
  | { kind: 'star' }
  | { kind: 'one' }
  | { kind: 'char'; cp: number }
  | { kind: 'class'; negated: boolean; ranges: Array<[number, number]> };

type Component = { globstar: true } | { globstar: false; atoms: Atom[] };

/** Longest pattern accepted, and most alternatives `{...}` may expand into. */
export const maxPatternLength = 512;
const maxAlternatives = 128;

/** Index of the `]` closing a class whose `[` is at `open`, or -1; `\` escapes. */
function classEnd(chars: string[], open: number): number {
  for (let i = open + 1; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return -1;
}

/** Expands the first top-level `{...}` (and, recursively, the rest) into brace-free patterns. */
function expand(chars: string[], out: string[][]): void {
  let open = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // A class is read before any brace in it (doublestar's order), so `[{]` is a class.
      const end = classEnd(chars, i);
      if (end === -1) throw new BadPatternError('unterminated character class');
      i = end;
    } else if (c === '{') {
      open = i;
      break;
    }
  }
  if (open === -1) {
    if (out.length >= maxAlternatives) throw new BadPatternError(`too many alternatives (more than ${maxAlternatives})`);
    out.push(chars);
    return;
  }
  const options: string[][] = [];
  let depth = 1;
  let start = open + 1;
  let close = -1;
  for (let i = open + 1; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        options.push(chars.slice(start, i));
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) {
      options.push(chars.slice(start, i));
      start = i + 1;
    }
  }
  if (close === -1) throw new BadPatternError('unterminated {alternatives}');
  const before = chars.slice(0, open);
  const after = chars.slice(close + 1);
  for (const o of options) expand([...before, ...o, ...after], out);
}

const cp = (c: string) => c.codePointAt(0)!;

/** One path component (no '/', no braces) as atoms. */
function parseComponent(chars: string[]): Component {
  if (chars.length === 2 && chars[0] === '*' && chars[1] === '*') return { globstar: true };
  const atoms: Atom[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      if (i + 1 >= chars.length) throw new BadPatternError('pattern ends with an escape character');
      atoms.push({ kind: 'char', cp: cp(chars[++i]!) });
    } else if (c === '*') {
      // `**` inside a component is just a star: neither may cross a '/'.
      if (atoms.at(-1)?.kind !== 'star') atoms.push({ kind: 'star' });
    } else if (c === '?') atoms.push({ kind: 'one' });
    else if (c === '[') {
      const end = classEnd(chars, i);
      if (end === -1) throw new BadPatternError('unterminated character class');
      atoms.push(parseClass(chars.slice(i + 1, end)));
      i = end;
    } else atoms.push({ kind: 'char', cp: cp(c) });
  }
  return { globstar: false, atoms };
}

function parseClass(body: string[]): Atom {
  if (body.length === 0) throw new BadPatternError('empty character class');
  const negated = body[0] === '^';
  const ranges: Array<[number, number]> = [];
  let i = negated ? 1 : 0;
  const next = (): number => {
    let c = body[i++]!;
    if (c === '-') throw new BadPatternError('character class with a misplaced "-"');
    if (c === '\\') {
      if (i >= body.length) throw new BadPatternError('character class ends with an escape character');
      c = body[i++]!;
    }
    return cp(c);
  };
  while (i < body.length) {
    const lo = next();
    let hi = lo;
    if (body[i] === '-') {
      i++;
      if (i >= body.length) throw new BadPatternError('character class with a misplaced "-"');
      hi = next();
    }
    ranges.push([lo, hi]);
  }
  return { kind: 'class', negated, ranges };
}

function matchesOne(a: Atom, c: number): boolean {
  if (a.kind === 'one') return true;
  if (a.kind === 'char') return a.cp === c;
  if (a.kind === 'class') return a.ranges.some(([lo, hi]) => lo <= c && c <= hi) !== a.negated;
  return false;
}

/** Atoms against one component's code points: greedy, backing up only to the last star (O(n·m)). */
function matchAtoms(atoms: Atom[], s: number[]): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let starAt = 0;
  while (i < s.length) {
    const a = atoms[p];
    if (a !== undefined && a.kind === 'star') {
      star = p++;
      starAt = i;
    } else if (a !== undefined && matchesOne(a, s[i]!)) {
      p++;
      i++;
    } else if (star >= 0) {
      p = star + 1;
      i = ++starAt;
    } else return false;
  }
  while (atoms[p]?.kind === 'star') p++;
  return p === atoms.length;
}

function matchPath(pattern: Component[], name: number[][]): boolean {
  const memo = new Map<number, boolean>();
  const at = (pi: number, ni: number): boolean => {
    if (pi === pattern.length) return ni === name.length;
    const key = pi * (name.length + 1) + ni;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const c = pattern[pi]!;
    let r = false;
    if (c.globstar) {
      // A trailing `**` takes whatever is left, but something must be left ("a/**" is not "a").
      if (pi === pattern.length - 1) r = ni < name.length;
      else for (let k = ni; k < name.length && !r; k++) r = at(pi + 1, k);
    } else r = ni < name.length && matchAtoms(c.atoms, name[ni]!) && at(pi + 1, ni + 1);
    memo.set(key, r);
    return r;
  };
  return at(0, 0);
}

function splitComponents(chars: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) {
      cur.push(c, chars[++i]!);
    } else if (c === '/') {
      out.push(cur);
      cur = [];
    } else cur.push(c);
  }
  out.push(cur);
  return out;
}

export type Matcher = (name: string) => boolean;

/**
 * Compiles a pattern once (throws BadPatternError when it is malformed). An empty pattern matches
 * everything, as Harbor's selector treats it.
 */
export function compileDoublestar(pattern: string): Matcher {
  if (pattern.length > maxPatternLength) throw new BadPatternError(`pattern longer than ${maxPatternLength} characters`);
  if (pattern === '') return () => true;
  const alternatives: string[][] = [];
  expand(Array.from(pattern), alternatives);
  const compiled = alternatives.map((alt) => splitComponents(alt).map(parseComponent));
  return (name: string) => {
    const parts = name.split('/').map((p) => Array.from(p, cp));
    return compiled.some((c) => matchPath(c, parts));
  };
}

/** One-off match; prefer compileDoublestar for a pattern used repeatedly. */
export function doublestarMatch(pattern: string, name: string): boolean {
  return compileDoublestar(pattern)(name);
}
