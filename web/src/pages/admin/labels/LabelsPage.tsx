import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LabelsManager } from '../../../components/LabelsManager';

/** Global labels (scope g): every project's artifacts may carry them. Sysadmins only, as the page. */
export default function LabelsPage() {
  const { t } = useTranslation(['admin', 'common']);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('labels.title')}
      </Typography.Title>
      <LabelsManager owner={{ scope: 'g' }} can={() => true} emptyText={t('labels.empty')} tableLabel={t('labels.title')} />
    </Space>
  );
}
