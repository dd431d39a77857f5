import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Every area keeps its strings in its own namespace file, `locales/<lang>/<area>.json`, so areas
 * are translated (and merged) independently. test/portal-i18n.test.ts fails when a key exists in
 * one language and not the other.
 */
export const languages = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type Language = (typeof languages)[number]['code'];

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', { eager: true, import: 'default' });
const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [path, strings] of Object.entries(files)) {
  const m = path.match(/\.\/locales\/([^/]+)\/([^/]+)\.json$/);
  if (!m) continue;
  const [, lang, ns] = m as unknown as [string, string, string];
  resources[lang] ??= {};
  resources[lang][ns] = strings;
}

const storageKey = 'haven.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(storageKey);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function setLanguage(lang: Language): void {
  localStorage.setItem(storageKey, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

const lng = initialLanguage();
document.documentElement.lang = lng;
void i18n.use(initReactI18next).init({
  resources,
  lng,
  fallbackLng: 'en',
  ns: Object.keys(resources.en ?? {}),
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18n;
