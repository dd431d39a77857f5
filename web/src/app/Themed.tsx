import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { usePreferences } from './preferences';

/** Ant Design in the user's language and theme; AntApp gives message/modal the same context. */
export function Themed({ children }: { children: ReactNode }) {
  const { language, dark } = usePreferences();
  return (
    <ConfigProvider locale={language === 'zh-CN' ? zhCN : enUS} theme={{ algorithm: dark ? theme.darkAlgorithm : theme.defaultAlgorithm, token: { colorPrimary: '#1668dc' } }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}
