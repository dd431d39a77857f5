import { Progress } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RunProgress } from '../api/server-types';

/**
 * How far a run got: a bar once its total is known, the items done while it is not (the audit
 * purge counts as it goes). The label names both figures for a screen reader.
 */
export function JobProgress({ progress, status }: { progress: RunProgress | undefined; status: string }) {
  const { t } = useTranslation(['jobstatus']);
  // A run still waiting for a worker has got nowhere yet: no bar at 0.
  if (!progress || status === 'Pending' || status === 'Scheduled') return <span>-</span>;
  const active = status === 'Running' || status === 'InProgress';
  const { done, total, percent } = progress;
  if (percent === null) return <span>{t('progress.done', { done })}</span>;
  const label = t('progress.of', { done, total, percent });
  return <Progress percent={percent} size="small" status={active ? 'active' : 'normal'} aria-label={label} style={{ minWidth: 120, margin: 0 }} />;
}
