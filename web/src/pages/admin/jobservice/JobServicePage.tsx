import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { LogModal } from '../../../components/LogModal';
import type { JobQueue, ScheduleTask, Worker, WorkerPool } from '../types';
import { useServerPaging } from '../../../components/server-paging';

type QueueAction = 'pause' | 'resume' | 'stop';

function useQueueAction() {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const act = async (jobType: string, action: QueueAction) => {
    try {
      await api.put(`/jobservice/queues/${encodeURIComponent(jobType)}`, { action });
      void message.success(t(`jobs.done.${action}`, { queue: jobType === 'all' ? t('jobs.allQueues') : jobType }));
    } catch (err) {
      void message.error(errorText(err));
    }
    await client.invalidateQueries({ queryKey: ['jobservice'] });
  };
  return (jobType: string, action: QueueAction) => {
    if (action !== 'stop') return act(jobType, action);
    // Stop drops the pending jobs: worth a second look.
    // act says how it went itself (and refreshes the queues either way), as pause and resume do.
    confirm({ title: t('jobs.stopConfirm', { queue: jobType === 'all' ? t('jobs.allQueues') : jobType }), okText: t('jobs.stop'), action: () => act(jobType, 'stop') });
  };
}

function Queues() {
  const { t } = useTranslation(['admin', 'common']);
  const act = useQueueAction();
  const queues = useQuery({ queryKey: ['jobservice', 'queues'], queryFn: () => api.get<JobQueue[]>('/jobservice/queues'), refetchInterval: 5000 });
  return (
    <Card
      title={t('jobs.queues')}
      size="small"
      extra={
        <Space>
          <Button size="small" onClick={() => void act('all', 'pause')}>
            {t('jobs.pauseAll')}
          </Button>
          <Button size="small" onClick={() => void act('all', 'resume')}>
            {t('jobs.resumeAll')}
          </Button>
          <Button size="small" danger onClick={() => void act('all', 'stop')}>
            {t('jobs.stopAll')}
          </Button>
        </Space>
      }
    >
      <ErrorAlert error={queues.error} />
      <Table<JobQueue>
        rowKey="job_type"
        size="small"
        aria-label={t('jobs.queues')}
        loading={queues.isPending}
        dataSource={queues.data ?? []}
        pagination={false}
        locale={{ emptyText: t('jobs.noQueues') }}
        columns={[
          { title: t('jobs.jobType'), dataIndex: 'job_type' },
          { title: t('jobs.pending'), dataIndex: 'count', align: 'right' },
          { title: t('jobs.latency'), render: (_: unknown, q) => t('jobs.seconds', { count: q.latency }) },
          { title: t('jobs.state'), render: (_: unknown, q) => (q.paused ? <Tag color="warning">{t('jobs.paused')}</Tag> : <Tag color="success">{t('jobs.active')}</Tag>) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, q) => (
              <Space>
                {q.paused ? (
                  <Button size="small" onClick={() => void act(q.job_type, 'resume')} aria-label={t('jobs.resumeQueue', { queue: q.job_type })}>
                    {t('jobs.resume')}
                  </Button>
                ) : (
                  <Button size="small" onClick={() => void act(q.job_type, 'pause')} aria-label={t('jobs.pauseQueue', { queue: q.job_type })}>
                    {t('jobs.pause')}
                  </Button>
                )}
                <Button size="small" danger disabled={q.count === 0} onClick={() => void act(q.job_type, 'stop')} aria-label={t('jobs.stopQueue', { queue: q.job_type })}>
                  {t('jobs.stop')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

function Workers({ pool, onLog }: { pool: string; onLog(w: Worker): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const confirm = useConfirmAction();
  const workers = useQuery({ queryKey: ['jobservice', 'workers', pool], queryFn: () => api.get<Worker[]>(`/jobservice/pools/${encodeURIComponent(pool)}/workers`), refetchInterval: 3000 });
  // A stopped job does not resume: a GC or retention run ends where it is, as on a queue's Stop.
  const stop = (w: Worker) =>
    confirm({
      title: t('jobs.stopJobConfirm', { id: w.job_id, type: w.job_name }),
      okText: t('jobs.stop'),
      action: () => api.put(`/jobservice/jobs/${encodeURIComponent(w.job_id)}`),
      success: t('jobs.jobStopped', { id: w.job_id }),
      invalidate: ['jobservice', 'workers'],
    });
  return (
    <>
      <ErrorAlert error={workers.error} />
      <Table<Worker>
        rowKey="id"
        size="small"
        aria-label={t('jobs.workersOf', { pool })}
        dataSource={workers.data ?? []}
        loading={workers.isPending}
        pagination={false}
        locale={{ emptyText: t('jobs.idle') }}
        columns={[
          { title: t('jobs.jobType'), dataIndex: 'job_name' },
          { title: t('jobs.jobId'), dataIndex: 'job_id' },
          { title: t('jobs.startedAt'), render: (_: unknown, w) => formatTime(w.start_at, language) },
          { title: t('jobs.checkIn'), dataIndex: 'check_in' },
          {
            title: t('common:table.actions'),
            render: (_: unknown, w) => (
              <Space>
                <Button size="small" onClick={() => onLog(w)} aria-label={t('jobs.logOf', { id: w.job_id })}>
                  {t('history.log')}
                </Button>
                <Button size="small" danger onClick={() => stop(w)} aria-label={t('jobs.stopJob', { id: w.job_id })}>
                  {t('jobs.stop')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}

function Pools() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const [logOf, setLogOf] = useState<Worker | null>(null);
  // Every pool open until the user closes one: what the workers run is the point of the page.
  const [expanded, setExpanded] = useState<readonly React.Key[] | null>(null);
  const pools = useQuery({ queryKey: ['jobservice', 'pools'], queryFn: () => api.get<WorkerPool[]>('/jobservice/pools'), refetchInterval: 10_000 });
  return (
    <Card title={t('jobs.pools')} size="small">
      <ErrorAlert error={pools.error} />
      <Table<WorkerPool>
        rowKey="worker_pool_id"
        size="small"
        aria-label={t('jobs.pools')}
        loading={pools.isPending}
        dataSource={pools.data ?? []}
        pagination={false}
        locale={{ emptyText: t('jobs.noPools') }}
        expandable={{
          expandedRowRender: (p) => <Workers pool={p.worker_pool_id} onLog={setLogOf} />,
          expandedRowKeys: expanded ?? (pools.data ?? []).map((p) => p.worker_pool_id),
          onExpandedRowsChange: (keys) => setExpanded(keys),
        }}
        columns={[
          { title: t('jobs.poolId'), dataIndex: 'worker_pool_id' },
          { title: t('jobs.host'), dataIndex: 'host' },
          { title: t('jobs.pid'), dataIndex: 'pid' },
          { title: t('jobs.concurrency'), dataIndex: 'concurrency', align: 'right' },
          { title: t('jobs.startedAt'), render: (_: unknown, p) => formatTime(p.start_at, language) },
          { title: t('jobs.heartbeat'), render: (_: unknown, p) => formatTime(p.heartbeat_at, language) },
        ]}
      />
      <LogModal path={logOf ? `/jobservice/jobs/${encodeURIComponent(logOf.job_id)}/log` : null} title={t('jobs.logTitle', { id: logOf?.job_id })} onClose={() => setLogOf(null)} />
    </Card>
  );
}

function Schedules() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const act = useQueueAction();
  const paging = useServerPaging(10);
  const { page, pageSize } = paging;
  const paused = useQuery({ queryKey: ['jobservice', 'schedules', 'paused'], queryFn: () => api.get<{ paused: boolean }>('/schedules/all/paused') });
  const list = useQuery({ queryKey: ['jobservice', 'schedules', { page, pageSize }], queryFn: () => api.page<ScheduleTask>('/schedules', { page, page_size: pageSize }), placeholderData: (prev) => prev });
  return (
    <Card
      title={
        <Space>
          {t('jobs.schedules')}
          {paused.data?.paused && <Tag color="warning">{t('jobs.schedulesPaused')}</Tag>}
        </Space>
      }
      size="small"
      extra={
        paused.data?.paused ? (
          <Button size="small" onClick={() => void act('SCHEDULER', 'resume')}>
            {t('jobs.resumeSchedules')}
          </Button>
        ) : (
          <Button size="small" onClick={() => void act('SCHEDULER', 'pause')}>
            {t('jobs.pauseSchedules')}
          </Button>
        )
      }
    >
      <ErrorAlert error={list.error ?? paused.error} />
      <Table<ScheduleTask>
        rowKey="id"
        size="small"
        aria-label={t('jobs.schedules')}
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('jobs.noSchedules') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('jobs.vendorType'), dataIndex: 'vendor_type' },
          { title: t('jobs.vendorId'), dataIndex: 'vendor_id' },
          { title: t('jobs.cron'), render: (_: unknown, s) => <Typography.Text code>{s.cron}</Typography.Text> },
          { title: t('history.updated'), render: (_: unknown, s) => formatTime(s.update_time, language) },
        ]}
      />
    </Card>
  );
}

/** Harbor's job service dashboard: queues, worker pools and what each worker runs, schedules. */
export default function JobServicePage() {
  const { t } = useTranslation('admin');
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('jobs.title')}
      </Typography.Title>
      <Queues />
      <Pools />
      <Schedules />
    </Space>
  );
}
