import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

// Status colours, not Ant's preset palette: their tints keep 4.5:1 contrast (Themed.tsx).
const colours: Record<string, string> = { Success: 'success', Error: 'error', Running: 'processing', InProgress: 'processing', Pending: 'default', Scheduled: 'default', Stopped: 'warning' };

/** A job's, execution's or task's status (Harbor's words: Success, Error, Running, ...), translated. */
export function JobStatus({ status }: { status: string }) {
  const { t } = useTranslation(['jobstatus']);
  const known = status in colours;
  return <Tag color={colours[status] ?? 'default'}>{known ? t(`status.${status}`) : status}</Tag>;
}

/** Whether a status can still change (the page keeps polling while any does). */
export const isActive = (status: string) => ['Running', 'InProgress', 'Pending', 'Scheduled'].includes(status);
