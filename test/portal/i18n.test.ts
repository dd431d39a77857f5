// The portal's translations are complete: every key in both languages, every key the code uses
// exists, and no visible text in a component bypasses the translations.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const web = resolve(import.meta.dirname, '../../web/src');
const localeDir = join(web, 'i18n/locales');
const languages = ['en', 'zh-CN'];

function files(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, ext, out);
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

function flatten(obj: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, String(v));
  }
  return out;
}

/** namespace → key → text, per language. */
function load(lang: string): Map<string, Map<string, string>> {
  const m = new Map<string, Map<string, string>>();
  for (const f of readdirSync(join(localeDir, lang))) {
    if (f.endsWith('.json')) m.set(f.replace(/\.json$/, ''), flatten(JSON.parse(readFileSync(join(localeDir, lang, f), 'utf8'))));
  }
  return m;
}

const strings = Object.fromEntries(languages.map((l) => [l, load(l)])) as Record<string, Map<string, Map<string, string>>>;
const sources = files(web, /\.tsx?$/).filter((f) => !f.includes(`${join('i18n', 'locales')}`));

/** i18next's plural forms count as their base key (count_one, count_other). */
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');

test('every key exists in English and in 简体中文, and no translation is empty', () => {
  const en = strings.en!;
  const zh = strings['zh-CN']!;
  assert.deepEqual([...zh.keys()].sort(), [...en.keys()].sort(), 'the same namespace files');
  const problems: string[] = [];
  for (const [ns, keys] of en) {
    const other = zh.get(ns) ?? new Map();
    for (const k of keys.keys()) if (![...other.keys()].some((o) => base(o) === base(k))) problems.push(`${ns}:${k} missing in zh-CN`);
    for (const k of other.keys()) if (![...keys.keys()].some((o) => base(o) === base(k))) problems.push(`${ns}:${k} missing in en`);
    for (const [k, v] of [...keys, ...other]) if (v.trim() === '') problems.push(`${ns}:${k} is empty`);
  }
  assert.deepEqual(problems, []);
});

test('every literal key the code passes to t() exists', () => {
  const en = strings.en!;
  const problems: string[] = [];
  for (const file of sources) {
    const src = readFileSync(file, 'utf8');
    // The namespaces the component asked for, the first being the default one.
    const declared = src.match(/useTranslation\((?:\[([^\]]*)\]|'([^']*)')?\)/);
    const namespaces = declared?.[1] ? [...declared[1].matchAll(/'([^']+)'/g)].map((m) => m[1]!) : declared?.[2] ? [declared[2]] : ['common'];
    for (const m of src.matchAll(/\bt\(\s*'([^'`]+)'/g)) {
      const raw = m[1]!;
      const [ns, key] = raw.includes(':') ? (raw.split(':', 2) as [string, string]) : [namespaces[0]!, raw];
      const keys = en.get(ns);
      const found = keys && [...keys.keys()].some((k) => k === key || base(k) === key || k.startsWith(`${key}.`));
      if (!found) problems.push(`${relative(web, file)}: t('${raw}') (namespace ${ns})`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no visible text in a component is written out instead of translated', () => {
  const problems: string[] = [];
  const visibleProps = /\b(title|placeholder|label|aria-label|alt|okText|cancelText|description|message|subTitle|extra|tooltip|content|emptyText)="([^"]*)"/g;
  for (const file of sources.filter((f) => f.endsWith('.tsx'))) {
    const src = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    // Text between tags: `>Delete<` is a string a person reads.
    for (const m of src.matchAll(/>\s*([^<>{}]*?[A-Za-z\u4e00-\u9fff][^<>{}]*?)\s*</g)) {
      const text = m[1]!.trim();
      // Code that looks like text: arrow functions, generics and comparisons inside braces.
      if (/=>|&&|\|\||[()=;]/.test(text)) continue;
      // Generics (`api.get<User>`), object keys (`, label:`) and paths are not prose.
      if (/^[\w.$]+$/.test(text) && text.includes('.')) continue;
      if (/^,?\s*\w+:$/.test(text) || text.startsWith('/')) continue;
      problems.push(`${relative(web, file)}: text "${text}"`);
    }
    for (const m of src.matchAll(visibleProps)) {
      if (/[A-Za-z\u4e00-\u9fff]/.test(m[2]!)) problems.push(`${relative(web, file)}: ${m[1]}="${m[2]}"`);
    }
  }
  // The language switch names each language in itself, on purpose: i18n/ is left out.
  for (const file of sources.filter((f) => !relative(web, f).startsWith('i18n'))) {
    const src = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      // What a template interpolates is data (`${project.name}/${repository}`), not prose.
      .replace(/\$\{[^}]*\}/g, '');
    // A string in braces between tags: `>{'Delete'}<`.
    for (const m of src.matchAll(/>\s*\{\s*(['"`])([^'"`]*[A-Za-z\u4e00-\u9fff][^'"`]*)\1\s*\}/g)) problems.push(`${relative(web, file)}: {'${m[2]}'}`);
    // The same props given in objects (table columns, menu items, modal.confirm) and toasts.
    for (const m of src.matchAll(/\b(title|label|placeholder|okText|cancelText|description|content|emptyText|tooltip|extra|subTitle|alt):\s*(['"`])([^'"`]*[A-Za-z\u4e00-\u9fff][^'"`]*)\2/g)) {
      problems.push(`${relative(web, file)}: ${m[1]}: '${m[3]}'`);
    }
    for (const m of src.matchAll(/\bmessage\.(success|error|info|warning|loading)\(\s*(['"`])([^'"`]*)\2/g)) problems.push(`${relative(web, file)}: message.${m[1]}('${m[3]}')`);
  }
  assert.deepEqual(problems, []);
});
