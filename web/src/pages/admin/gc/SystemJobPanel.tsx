import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Table, Tag } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { JobStatus } from '../../../components/JobStatus';
import { LogModal } from '../../../components/LogModal';
import { JobProgress } from '../../../components/JobProgress';
import { activeStatuses, type ExecHistory, jobParameters } from '../types';
import { ScheduleEditor } from './ScheduleEditor';
import { useServerPaging } from '../../../components/server-paging';

export interface SystemJobPanelProps {
  /** /system/gc or /system/purgeaudit */
  prefix: string;
  /** Translation key prefix of this job's words (gc, purge). */
  kind: 'gc' | 'purge';
  /** The job's options form. */
  options: ReactNode;
  /** The options as the API takes them, or null when the form is invalid. */
  parameters(): Record<string, unknown> | null;
  /** What a finished run did, from its parameters and results. */
  result(params: Record<string, unknown>): ReactNode;
}

/**
 * One system job (Harbor's "Clean up" tabs): its options, run now and dry run, its schedule, and
 * its history paged on the server. While a run is pending or running the history polls, so its
 * status changes to Success in front of the user.
 */
export function SystemJobPanel({ prefix, kind, options, parameters, result }: SystemJobPanelProps) {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const paging = useServerPaging(10);
  const { page, pageSize } = paging;
  const [busy, setBusy] = useState<'run' | 'dry' | null>(null);
  const [logOf, setLogOf] = useState<ExecHistory | null>(null);
  const history = useQuery({
    queryKey: ['history', prefix, { page, pageSize }],
    queryFn: () => api.page<ExecHistory>(prefix, { page, page_size: pageSize }),
    placeholderData: (prev) => prev,
    refetchInterval: (q) => (q.state.data?.items.some((h) => activeStatuses.has(h.job_status)) ? 1000 : false),
  });

  const run = async (dry: boolean) => {
    const params = parameters();
    if (!params) return;
    setBusy(dry ? 'dry' : 'run');
    try {
      await api.post(`${prefix}/schedule`, { schedule: { type: 'Manual' }, parameters: { ...params, dry_run: dry } });
      void message.success(t(dry ? `${kind}.dryStarted` : `${kind}.started`));
      paging.first();
      await client.invalidateQueries({ queryKey: ['history', prefix] });
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const stop = (h: ExecHistory) =>
    confirm({ title: t('history.stopConfirm', { id: h.id }), okText: t('history.stop'), action: () => api.put(`${prefix}/${h.id}`), invalidate: ['history', prefix] });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={t(`${kind}.optionsTitle`)} size="small">
        <Space direction="vertical" style={{ width: '100%' }}>
          {options}
          <Space wrap>
            <Button type="primary" loading={busy === 'run'} onClick={() => void run(false)}>
              {t(`${kind}.runNow`)}
            </Button>
            <Button loading={busy === 'dry'} onClick={() => void run(true)}>
              {t(`${kind}.dryRun`)}
            </Button>
          </Space>
        </Space>
      </Card>
      <Card title={t('schedule.title')} size="small">
        <ScheduleEditor prefix={prefix} parameters={parameters} />
      </Card>
      <Card
        title={t('history.title')}
        size="small"
        extra={
          <Button size="small" onClick={() => void history.refetch()}>
            {t('common:action.refresh')}
          </Button>
        }
      >
        <ErrorAlert error={history.error} />
        <Table<ExecHistory>
          rowKey="id"
          size="small"
          aria-label={t('history.title')}
          loading={history.isPending}
          dataSource={history.data?.items ?? []}
          locale={{ emptyText: t(`${kind}.empty`) }}
          pagination={paging.pagination(history.data?.total ?? 0)}
          columns={[
            { title: t('history.id'), dataIndex: 'id' },
            { title: t('history.trigger'), render: (_: unknown, h) => t(`history.triggers.${h.job_kind === 'SCHEDULE' ? 'SCHEDULE' : 'MANUAL'}`) },
            { title: t('history.dryRun'), render: (_: unknown, h) => (jobParameters(h).dry_run === true ? <Tag color="processing">{t('history.yes')}</Tag> : t('history.no')) },
            { title: t('history.status'), render: (_: unknown, h) => <JobStatus status={h.job_status} /> },
            {
              title: t(`${kind}.result`),
              render: (_: unknown, h) => (activeStatuses.has(h.job_status) ? <JobProgress progress={h.progress} status={h.job_status} /> : result(jobParameters(h))),
            },
            { title: t('history.created'), render: (_: unknown, h) => formatTime(h.creation_time, language) },
            { title: t('history.updated'), render: (_: unknown, h) => formatTime(h.update_time, language) },
            {
              title: t('common:table.actions'),
              render: (_: unknown, h) => (
                <Space>
                  <Button size="small" onClick={() => setLogOf(h)} aria-label={t('history.logOf', { id: h.id })}>
                    {t('history.log')}
                  </Button>
                  {activeStatuses.has(h.job_status) && (
                    <Button size="small" danger onClick={() => stop(h)} aria-label={t('history.stopOf', { id: h.id })}>
                      {t('history.stop')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <LogModal path={logOf ? `${prefix}/${logOf.id}/log` : null} title={t('history.logTitle', { id: logOf?.id })} onClose={() => setLogOf(null)} />
    </Space>
  );
}
