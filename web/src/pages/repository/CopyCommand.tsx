import { CopyOutlined } from '@ant-design/icons';
import { App, Button, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Puts `text` on the clipboard; the older execCommand path covers pages not in a secure context. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/** A command shown as code with a copy button; `label` names it for screen readers and tests. */
export function CopyCommand({ command, label }: { command: string; label: string }) {
  const { t } = useTranslation(['repository', 'common']);
  const { message } = App.useApp();
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Typography.Text code style={{ flex: 1, padding: '4px 8px', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-command>
        {command}
      </Typography.Text>
      <Button
        icon={<CopyOutlined />}
        aria-label={label}
        title={t('common:action.copy')}
        onClick={() => {
          copyText(command).then(
            () => void message.success(t('copied', { command })),
            () => void message.error(t('copyFailed')),
          );
        }}
      />
    </Space.Compact>
  );
}
