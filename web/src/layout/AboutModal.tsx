import { Descriptions, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';

export function AboutModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { system } = useSession();
  return (
    <Modal open={open} title={t('about.title')} onCancel={onClose} footer={null}>
      <Descriptions column={1} bordered size="small">
        <Descriptions.Item label={t('about.version')}>{system?.harbor_version ?? '-'}</Descriptions.Item>
        <Descriptions.Item label={t('about.api')}>
          <a href="/api/v2.0/swagger.json" target="_blank" rel="noreferrer">
            /api/v2.0/swagger.json
          </a>
        </Descriptions.Item>
        <Descriptions.Item label={t('about.registry')}>{system?.registry_url || window.location.host}</Descriptions.Item>
      </Descriptions>
    </Modal>
  );
}
