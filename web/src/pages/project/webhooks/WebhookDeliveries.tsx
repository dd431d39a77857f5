import { useQuery } from '@tanstack/react-query';
import { Button, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { extraAttr, type WebhookExecution, type WebhookTask } from '../../../api/server-types';
import { usePreferences } from '../../../app/preferences';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { isActive, JobStatus } from '../../../components/JobStatus';
import { LogModal } from '../../../components/LogModal';
import { useProject } from '../project-context';

type Execution = WebhookExecution;
type Task = WebhookTask;

function Tasks({ base, execution }: { base: string; execution: Execution }) {
  const { t } = useTranslation(['webhooks', 'common']);
  const { language } = usePreferences();
  const [log, setLog] = useState<Task | null>(null);
  const path = `${base}/${execution.id}/tasks`;
  const tasks = useQuery({
    queryKey: ['webhooks', 'tasks', path],
    queryFn: () => api.page<Task>(path, { page: 1, page_size: 20 }),
    refetchInterval: (q) => (q.state.data?.items.some((x) => isActive(x.status)) ? 2000 : false),
  });
  return (
    <>
      <ErrorAlert error={tasks.error} />
      <Table<Task>
        size="small"
        rowKey="id"
        loading={tasks.isPending}
        dataSource={tasks.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('delivery.task'), dataIndex: 'id' },
          { title: t('col.status'), render: (_: unknown, x) => <JobStatus status={x.status} /> },
          { title: t('endpoint'), render: (_: unknown, x) => extraAttr(x, 'address') ?? '-' },
          { title: t('delivery.attempts'), dataIndex: 'run_count' },
          { title: t('delivery.start'), render: (_: unknown, x) => formatTime(x.start_time, language) },
          { title: t('delivery.end'), render: (_: unknown, x) => formatTime(x.end_time, language) },
          {
            title: t('delivery.log'),
            render: (_: unknown, x) => (
              <Button size="small" type="link" onClick={() => setLog(x)} aria-label={t('delivery.logOf', { id: x.id })}>
                {t('delivery.log')}
              </Button>
            ),
          },
        ]}
      />
      <LogModal title={t('delivery.logOf', { id: log?.id ?? '' })} path={log ? `${path}/${log.id}/log` : null} onClose={() => setLog(null)} />
    </>
  );
}

/** A policy's deliveries (Harbor's executions, one per event), each expanding to its tasks. */
export function WebhookDeliveries({ policyId }: { policyId: number }) {
  const { t } = useTranslation(['webhooks', 'common']);
  const { project } = useProject();
  const { language } = usePreferences();
  const [page, setPage] = useState(1);
  const base = `/projects/${project.project_id}/webhook/policies/${policyId}/executions`;
  const runs = useQuery({
    queryKey: ['webhooks', 'executions', policyId, page],
    queryFn: () => api.page<Execution>(base, { page, page_size: 10, sort: '-id' }),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => (q.state.data?.items.some((e) => isActive(e.status)) ? 2000 : false),
  });
  return (
    <>
      <ErrorAlert error={runs.error} />
      <Table<Execution>
        size="small"
        rowKey="id"
        aria-label={t('delivery.title')}
        loading={runs.isPending}
        dataSource={runs.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('delivery.empty')} /> }}
        expandable={{ expandedRowRender: (e) => <Tasks base={base} execution={e} /> }}
        pagination={{ current: page, pageSize: 10, total: runs.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('delivery.id'), dataIndex: 'id' },
          {
            title: t('delivery.event'),
            render: (_: unknown, e) => {
              const event = extraAttr(e, 'event_type');
              return event ? t(`event.${event}`, { defaultValue: event }) : '-';
            },
          },
          { title: t('col.status'), render: (_: unknown, e) => <JobStatus status={e.status} /> },
          { title: t('delivery.start'), render: (_: unknown, e) => formatTime(e.start_time, language) },
          { title: t('delivery.end'), render: (_: unknown, e) => formatTime(e.end_time, language) },
        ]}
      />
    </>
  );
}
