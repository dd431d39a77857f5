import { Tag, theme } from 'antd';
import { useTranslation } from 'react-i18next';

/** Public or private, in colours that keep 4.5:1 contrast (Ant Design's green tag does not). */
export function AccessTag({ isPublic }: { isPublic: boolean }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  if (!isPublic) return <Tag>{t('access.private')}</Tag>;
  return <Tag style={{ color: token.colorSuccessText, background: token.colorSuccessBg, borderColor: token.colorSuccessBorder }}>{t('access.public')}</Tag>;
}
