import { CopyOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Input, Modal, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Harbor's download: `<robot name>.json` holding the name and the secret. */
function download(name: string, secret: string) {
  const blob = new Blob([JSON.stringify({ name, secret })], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.json`;
  a.click();
  URL.revokeObjectURL(url);
}

/** The secret of a robot, shown once: after this dialog closes nobody can read it again. */
export function SecretModal({ robot, onClose }: { robot: { name: string; secret: string } | null; onClose(): void }) {
  const { t } = useTranslation(['robots', 'common']);
  const { message } = App.useApp();
  const copy = async () => {
    if (!robot) return;
    try {
      await navigator.clipboard.writeText(robot.secret);
      void message.success(t('common:action.copied'));
    } catch {
      void message.error(t('copyFailed'));
    }
  };
  return (
    <Modal
      open={robot !== null}
      title={t('secretTitle', { name: robot?.name ?? '' })}
      onCancel={onClose}
      closable
      maskClosable={false}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('common:action.close')}
        </Button>
      }
    >
      {robot && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Alert type="warning" showIcon message={t('secretOnce')} />
          <Typography.Text strong>{t('col.name')}</Typography.Text>
          <Typography.Text code>{robot.name}</Typography.Text>
          <label htmlFor="robot-secret">
            <Typography.Text strong>{t('secret')}</Typography.Text>
          </label>
          <Space.Compact style={{ width: '100%' }}>
            <Input id="robot-secret" readOnly value={robot.secret} />
            <Button icon={<CopyOutlined />} onClick={() => void copy()} aria-label={t('copySecret')}>
              {t('common:action.copy')}
            </Button>
          </Space.Compact>
          <Button icon={<DownloadOutlined />} onClick={() => download(robot.name, robot.secret)}>
            {t('download')}
          </Button>
        </Space>
      )}
    </Modal>
  );
}
