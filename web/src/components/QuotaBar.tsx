import { Progress, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatBytes } from './format';

/** Storage used against the limit; -1 is Harbor's "unlimited". */
export function QuotaBar({ used, hard }: { used: number; hard: number }) {
  const { t } = useTranslation();
  if (hard < 0) {
    return <span>{t('quota.usedOfUnlimited', { used: formatBytes(used) })}</span>;
  }
  const percent = hard === 0 ? 100 : Math.min(100, Math.round((used / hard) * 100));
  const label = t('quota.usedOf', { used: formatBytes(used), hard: formatBytes(hard) });
  return (
    <Tooltip title={label}>
      <Progress percent={percent} size="small" status={percent >= 100 ? 'exception' : percent >= 80 ? 'active' : 'normal'} format={() => `${percent}%`} aria-label={label} style={{ minWidth: 120, margin: 0 }} />
    </Tooltip>
  );
}
