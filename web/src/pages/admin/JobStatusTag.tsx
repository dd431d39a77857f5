import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const colors: Record<string, string> = { Success: 'success', Error: 'error', Stopped: 'warning', Running: 'processing', Pending: 'default' };

/** A job run's status as a coloured, translated tag. */
export function JobStatusTag({ status }: { status: string }) {
  const { t } = useTranslation('admin');
  const known = status in colors;
  return <Tag color={colors[status] ?? 'default'}>{known ? t(`status.${status}`) : status}</Tag>;
}
