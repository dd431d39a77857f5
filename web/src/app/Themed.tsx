import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { type ReactNode, useEffect, useSyncExternalStore } from 'react';
import { usePreferences } from './preferences';

// Ant Design's default secondary greys and its primary blue fall short of WCAG AA's 4.5:1 on
// white (axe flags them): these keep the look and meet the ratio, in both themes.
const light = {
  colorPrimary: '#0958d9',
  colorLink: '#0958d9',
  colorError: '#c41d1f',
  colorSuccess: '#237804',
  colorSuccessText: '#135200',
  colorWarning: '#ad4e00',
  colorInfo: '#0958d9',
  // Seeds this dark give greyish tints of their own: the tag and alert backgrounds stay Ant's.
  colorSuccessBg: '#f6ffed',
  colorSuccessBorder: '#b7eb8f',
  colorWarningBg: '#fffbe6',
  colorWarningBorder: '#ffe58f',
  colorErrorBg: '#fff2f0',
  colorErrorBorder: '#ffccc7',
  colorInfoBg: '#e6f4ff',
  colorInfoBorder: '#91caff',
  colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
  colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
  colorTextDescription: 'rgba(0, 0, 0, 0.62)',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
};
// The dark algorithm darkens every seed towards the background. Its primary is as light as the
// white text of a primary button allows, too dark for text on the dark ground (4.06:1), so what
// shows the primary as text (the selected menu item and tab) takes the link blue instead; the
// default info blue gives "processing" tags 3.35:1 on their own tint, the link blue 5.1:1.
const darkText = '#65a9f3';
const dark = {
  colorPrimary: '#3c89e8',
  colorLink: darkText,
  colorInfo: darkText,
  colorError: '#ff7875',
  colorTextSecondary: 'rgba(255, 255, 255, 0.72)',
  colorTextTertiary: 'rgba(255, 255, 255, 0.68)',
  colorTextDescription: 'rgba(255, 255, 255, 0.68)',
  colorTextPlaceholder: 'rgba(255, 255, 255, 0.6)',
};
// A table that is empty says so in the disabled grey (1.8:1 light, 2.2:1 dark): there, and only
// there, the secondary text colour, as EmptyText has.
const lightComponents = { Table: { colorTextDisabled: light.colorTextSecondary } };
const darkComponents = { Menu: { itemSelectedColor: darkText }, Tabs: { itemSelectedColor: darkText }, Table: { colorTextDisabled: dark.colorTextSecondary } };

/** Ant Design in the user's language and theme; AntApp gives message/modal the same context. */
export function Themed({ children }: { children: ReactNode }) {
  const { language, dark: isDark } = usePreferences();
  const motion = !useReducedMotion();
  return (
    <ConfigProvider
      locale={language === 'zh-CN' ? zhCN : enUS}
      theme={isDark ? { algorithm: theme.darkAlgorithm, token: { ...dark, motion }, components: darkComponents } : { algorithm: theme.defaultAlgorithm, token: { ...light, motion }, components: lightComponents }}
    >
      <PageGround dark={isDark} />
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

/**
 * The page behind the layout takes the theme's ground too: otherwise the browser's white body
 * shows around a dark portal (its margin, an overscroll, a short page), and native controls and
 * scrollbars stay light.
 */
function PageGround({ dark }: { dark: boolean }) {
  const { token } = theme.useToken();
  useEffect(() => {
    const { style } = document.body;
    style.margin = '0';
    style.background = token.colorBgLayout;
    style.color = token.colorText;
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark, token.colorBgLayout, token.colorText]);
  return null;
}

const reducedMotion = '(prefers-reduced-motion: reduce)';

/**
 * Whether the user asked their system for less motion: then dialogs, menus and drawers appear
 * at once instead of zooming and sliding in (WCAG 2.3.3).
 */
function useReducedMotion(): boolean {
  return useSyncExternalStore(
    (changed) => {
      const query = window.matchMedia(reducedMotion);
      query.addEventListener('change', changed);
      return () => query.removeEventListener('change', changed);
    },
    () => window.matchMedia(reducedMotion).matches,
  );
}
