import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Switch, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { TableToolbar } from '../../../components/TableToolbar';
import { useProject } from '../project-context';
import { type EventTypes, policyBody, type WebhookPolicy } from './types';
import { WebhookDeliveries } from './WebhookDeliveries';
import { WebhookModal } from './WebhookModal';
import type { WebhookLastTrigger as LastTrigger } from '../../../api/server-types';


export default function WebhooksTab() {
  const { t } = useTranslation(['webhooks', 'common']);
  const { project, can } = useProject();
  const { language } = usePreferences();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<WebhookPolicy | 'new' | null>(null);
  const key = ['webhooks', project.project_id];
  const base = `/projects/${project.project_id}/webhook`;
  const list = useQuery({ queryKey: [...key, 'policies', page], queryFn: () => api.page<WebhookPolicy>(`${base}/policies`, { page, page_size: 10 }), placeholderData: (prev) => prev });
  const events = useQuery({ queryKey: [...key, 'events'], queryFn: () => api.get<EventTypes>(`${base}/events`), staleTime: Infinity });
  const last = useQuery({ queryKey: [...key, 'lasttrigger'], queryFn: () => api.get<LastTrigger[]>(`${base}/lasttrigger`) });
  const eventName = (e: string) => t(`event.${e}`, { defaultValue: e });

  const toggle = async (p: WebhookPolicy) => {
    try {
      await api.put(`${base}/policies/${p.id}`, policyBody({ ...p, enabled: !p.enabled }));
      void message.success(t(p.enabled ? 'disabledMsg' : 'enabledMsg', { name: p.name }));
    } catch (err) {
      void message.error(errorText(err));
    }
    await client.invalidateQueries({ queryKey: key });
  };
  const remove = (p: WebhookPolicy) =>
    confirm({ title: t('deleteConfirm', { name: p.name }), okText: t('common:action.delete'), action: () => api.delete(`${base}/policies/${p.id}`), success: t('deleted', { name: p.name }), invalidate: key });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <TableToolbar create={can('notification-policy', 'create') && { label: t('new'), onClick: () => setEditing('new'), disabled: !events.data }} />
      <ErrorAlert error={list.error ?? events.error} />
      <Table<WebhookPolicy>
        rowKey="id"
        aria-label={t('policies')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('empty')} /> }}
        expandable={{ expandedRowRender: (p) => <WebhookDeliveries policyId={p.id} /> }}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('col.name'), dataIndex: 'name' },
          {
            title: t('col.enabled'),
            render: (_: unknown, p) =>
              can('notification-policy', 'update') ? (
                <Switch size="small" checked={p.enabled} onChange={() => void toggle(p)} aria-label={t('enabledOf', { name: p.name })} />
              ) : p.enabled ? (
                <Tag color="success">{t('enabled')}</Tag>
              ) : (
                <Tag>{t('disabled')}</Tag>
              ),
          },
          { title: t('notifyType'), render: (_: unknown, p) => t(`notify.${p.targets[0]?.type ?? 'http'}`, { defaultValue: p.targets[0]?.type }) },
          { title: t('endpoint'), render: (_: unknown, p) => p.targets[0]?.address },
          {
            title: t('eventTypes'),
            render: (_: unknown, p) => (
              // All event types is the usual choice: a count, with the list on hover, keeps rows short.
              <Tooltip title={p.event_types.map(eventName).join(', ')}>
                <Space size={[4, 4]} wrap>
                  {p.event_types.slice(0, 2).map((e) => (
                    <Tag key={e}>{eventName(e)}</Tag>
                  ))}
                  {p.event_types.length > 2 && <Tag>{t('moreEvents', { count: p.event_types.length - 2 })}</Tag>}
                </Space>
              </Tooltip>
            ),
          },
          { title: t('col.creator'), dataIndex: 'creator' },
          { title: t('col.created'), render: (_: unknown, p) => formatTime(p.creation_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, p) => (
              <Space>
                {can('notification-policy', 'update') && (
                  <Button size="small" onClick={() => setEditing(p)} aria-label={t('editLabel', { name: p.name })}>
                    {t('common:action.edit')}
                  </Button>
                )}
                {can('notification-policy', 'delete') && (
                  <Button size="small" danger onClick={() => remove(p)} aria-label={t('deleteLabel', { name: p.name })}>
                    {t('common:action.delete')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Card size="small" title={t('lastTrigger')}>
        <ErrorAlert error={last.error} />
        <Table<LastTrigger>
          size="small"
          aria-label={t('lastTrigger')}
          rowKey={(r) => `${r.policy_name}/${r.event_type}`}
          loading={last.isPending}
          dataSource={last.data ?? []}
          pagination={false}
          locale={{ emptyText: <EmptyText text={t('noTriggers')} /> }}
          columns={[
            { title: t('delivery.event'), render: (_: unknown, r) => eventName(r.event_type) },
            { title: t('col.name'), dataIndex: 'policy_name' },
            { title: t('col.enabled'), render: (_: unknown, r) => (r.enabled ? <Tag color="success">{t('enabled')}</Tag> : <Tag>{t('disabled')}</Tag>) },
            { title: t('lastTriggered'), render: (_: unknown, r) => formatTime(r.last_trigger_time, language) },
          ]}
        />
      </Card>
      {editing !== null && (
        <WebhookModal key={editing === 'new' ? `new-${events.data ? 1 : 0}` : editing?.id} open={editing !== null} policy={editing === 'new' ? undefined : (editing ?? undefined)} events={events.data} onClose={() => setEditing(null)} />
      )}
    </Space>
  );
}
