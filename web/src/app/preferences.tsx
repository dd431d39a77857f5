import { createContext, useContext, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from '../i18n';

interface Preferences {
  language: Language;
  setLanguage(lang: Language): void;
  dark: boolean;
  setDark(dark: boolean): void;
}

const PreferencesContext = createContext<Preferences | null>(null);
const darkKey = 'haven.dark';

/** The user's language and theme, remembered in this browser. */
export function PreferencesProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const [dark, setDarkState] = useState(() => localStorage.getItem(darkKey) === '1');
  const value: Preferences = {
    language: (i18n.language === 'zh-CN' ? 'zh-CN' : 'en') as Language,
    setLanguage,
    dark,
    setDark: (d) => {
      localStorage.setItem(darkKey, d ? '1' : '0');
      setDarkState(d);
    },
  };
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const p = useContext(PreferencesContext);
  if (!p) throw new Error('usePreferences outside PreferencesProvider');
  return p;
}
