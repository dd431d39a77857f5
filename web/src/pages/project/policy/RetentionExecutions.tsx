import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { JobProgress } from '../../../components/JobProgress';
import { isActive, JobStatus } from '../../../components/JobStatus';
import { LogModal } from '../../../components/LogModal';
import type { RetentionExecution as Execution, RetentionTask as Task } from '../../../api/server-types';



/** One run's per-repository tasks, each with its log; polled while the run is going. */
function Tasks({ policyId, execution }: { policyId: number; execution: Execution }) {
  const { t } = useTranslation(['policy', 'common', 'jobstatus']);
  const { language } = usePreferences();
  const [page, setPage] = useState(1);
  const [log, setLog] = useState<Task | null>(null);
  const base = `/retentions/${policyId}/executions/${execution.id}/tasks`;
  const tasks = useQuery({
    queryKey: ['retention', 'tasks', execution.id, page],
    queryFn: () => api.page<Task>(base, { page, page_size: 10 }),
    refetchInterval: (q) => (isActive(execution.status) || q.state.data?.items.some((x) => isActive(x.status)) ? 2000 : false),
  });
  return (
    <>
      <ErrorAlert error={tasks.error} />
      <Table<Task>
        size="small"
        rowKey="id"
        loading={tasks.isPending}
        dataSource={tasks.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('retention.noTasks')} /> }}
        pagination={{ current: page, pageSize: 10, total: tasks.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('retention.col.repository'), dataIndex: 'repository' },
          { title: t('col.status'), render: (_: unknown, x) => <JobStatus status={x.status} /> },
          { title: t('retention.col.retained'), render: (_: unknown, x) => t('retention.retainedOf', { retained: x.retained, total: x.total }) },
          { title: t('jobstatus:progress.title'), render: (_: unknown, x) => <JobProgress progress={x.progress} status={x.status} /> },
          { title: t('retention.col.start'), render: (_: unknown, x) => formatTime(x.start_time, language) },
          { title: t('retention.col.end'), render: (_: unknown, x) => formatTime(x.end_time, language) },
          {
            title: t('retention.col.log'),
            render: (_: unknown, x) => (
              <Button size="small" type="link" onClick={() => setLog(x)} aria-label={t('retention.logOf', { repository: x.repository })}>
                {t('retention.viewLog')}
              </Button>
            ),
          },
        ]}
      />
      <LogModal title={t('retention.logOf', { repository: log?.repository ?? '' })} path={log ? `${base}/${log.id}` : null} onClose={() => setLog(null)} />
    </>
  );
}

/** The policy's runs, newest first; a row expands to its tasks. Polled while one is going. */
export function RetentionExecutions({ policyId, canOperate }: { policyId: number; canOperate: boolean }) {
  const { t } = useTranslation(['policy', 'common', 'jobstatus']);
  const { language } = usePreferences();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const runs = useQuery({
    queryKey: ['retention', 'executions', policyId, page],
    queryFn: () => api.page<Execution>(`/retentions/${policyId}/executions`, { page, page_size: 10 }),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => (q.state.data?.items.some((e) => isActive(e.status)) ? 2000 : false),
  });
  const stop = async (e: Execution) => {
    try {
      await api.patch(`/retentions/${policyId}/executions/${e.id}`, { action: 'stop' });
    } catch (err) {
      void message.error(errorText(err));
    }
    await client.invalidateQueries({ queryKey: ['retention', 'executions', policyId] });
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <ErrorAlert error={runs.error} />
      <Table<Execution>
        rowKey="id"
        aria-label={t('retention.history')}
        loading={runs.isPending}
        dataSource={runs.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('retention.noRuns')} /> }}
        expandable={{ expandedRowRender: (e) => <Tasks policyId={policyId} execution={e} />, expandRowByClick: false }}
        pagination={{ current: page, pageSize: 10, total: runs.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('retention.col.id'), dataIndex: 'id' },
          { title: t('col.status'), render: (_: unknown, e) => <JobStatus status={e.status} /> },
          { title: t('jobstatus:progress.title'), render: (_: unknown, e) => <JobProgress progress={e.progress} status={e.status} /> },
          { title: t('retention.col.dryRun'), render: (_: unknown, e) => (e.dry_run ? <Tag color="processing">{t('retention.dryRunTag')}</Tag> : <Tag>{t('retention.realRunTag')}</Tag>) },
          { title: t('retention.col.trigger'), render: (_: unknown, e) => t(`retention.trigger.${e.trigger}`, { defaultValue: e.trigger }) },
          { title: t('retention.col.start'), render: (_: unknown, e) => formatTime(e.start_time, language) },
          { title: t('retention.col.end'), render: (_: unknown, e) => formatTime(e.end_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, e) =>
              canOperate &&
              isActive(e.status) && (
                <Button size="small" onClick={() => void stop(e)}>
                  {t('retention.stop')}
                </Button>
              ),
          },
        ]}
      />
    </Space>
  );
}
