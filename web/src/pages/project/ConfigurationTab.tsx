import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';

/** Placeholder until this page is built. */
export default function ConfigurationTab() {
  const { t } = useTranslation();
  return <Empty description={t('comingSoon')} />;
}
