import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Dropdown, Form, Input, InputNumber, Radio, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { useServerPaging } from '../../../components/server-paging';
import { TableToolbar } from '../../../components/TableToolbar';
import { useProject } from '../project-context';
import { PermissionPicker } from '../../../components/robots/PermissionPicker';
import { SecretModal } from '../../../components/robots/SecretModal';
import type { Robot } from '../../../api/server-types';
import { useRefreshSecret } from '../../../components/robots/refresh-secret';
import { FormModal } from '../../../components/FormModal';


interface CreateValues {
  name: string;
  description?: string;
  expiry: 'never' | 'days';
  days?: number;
  access: string[];
}

/** Create, or (with `robot`) edit a robot's description, expiry and permissions; its name is fixed. */
function RobotModal({ robot, open, onClose, onCreated }: { robot?: Robot | undefined; open: boolean; onClose(): void; onCreated(r: { name: string; secret: string }): void }) {
  const { t } = useTranslation(['robots', 'common']);
  const { project, can } = useProject();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const [busy, setBusy] = useState(false);
  const expiry = Form.useWatch('expiry', form);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const access = v.access.map((k) => {
        const [resource, action] = k.split(':') as [string, string];
        return { resource, action };
      });
      const fields = {
        description: v.description ?? '',
        duration: v.expiry === 'never' ? -1 : (v.days ?? 30),
        permissions: [{ kind: 'project', namespace: project.name, access }],
      };
      if (robot) {
        await api.put(`/robots/${robot.id}`, fields);
        void message.success(t('saved', { name: robot.name }));
      }
      const created = robot ? null : await api.post<{ name: string; secret: string }>(`/projects/${project.project_id}/robots`, { name: v.name.trim(), level: 'project', ...fields });
      await client.invalidateQueries({ queryKey: ['robots', project.project_id] });
      onClose();
      if (created) onCreated(created);
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal
      open={open}
      width={860}
      title={robot ? t('edit', { name: robot.name }) : t('new')}
      onOk={submit}
      confirmLoading={busy}
      onCancel={onClose}
      okText={robot ? t('common:action.save') : t('common:action.create')}
      cancelText={t('common:action.cancel')}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          robot
            ? {
                name: robot.name,
                description: robot.description,
                expiry: robot.duration === -1 ? 'never' : 'days',
                days: robot.duration === -1 ? 30 : robot.duration,
                access: robot.permissions.flatMap((p) => p.access.map((a) => `${a.resource}:${a.action}`)),
              }
            : { expiry: 'days', days: 30, access: ['repository:pull'] }
        }
      >
        <Form.Item name="name" label={t('col.name')} extra={robot ? undefined : t('nameHelp', { prefix: `robot$${project.name}+` })} rules={[{ required: true, message: t('nameRequired') }, { max: 255 }]}>
          <Input autoFocus disabled={robot !== undefined} />
        </Form.Item>
        <Form.Item name="description" label={t('col.description')}>
          <Input maxLength={1024} />
        </Form.Item>
        <Form.Item label={t('expiry')}>
          <Space>
            <Form.Item name="expiry" noStyle>
              <Radio.Group
                options={[
                  { value: 'days', label: t('expiryDays') },
                  { value: 'never', label: t('never') },
                ]}
              />
            </Form.Item>
            {expiry !== 'never' && (
              <Form.Item name="days" noStyle rules={[{ required: true, message: t('daysRequired') }]}>
                <InputNumber min={1} max={36500} precision={0} aria-label={t('days')} addonAfter={t('daysUnit')} />
              </Form.Item>
            )}
          </Space>
        </Form.Item>
        <Form.Item name="access" label={t('permissions')} rules={[{ required: true, type: 'array', min: 1, message: t('permissionsRequired') }]}>
          <PermissionPicker holds={can} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

function Expiry({ r }: { r: Robot }) {
  const { t } = useTranslation(['robots', 'common']);
  const { language } = usePreferences();
  if (r.expires_at === -1) return <span>{t('never')}</span>;
  const at = new Date(r.expires_at * 1000).toISOString();
  const expired = r.expires_at * 1000 < Date.now();
  return expired ? <Tag color="error">{t('expired')}</Tag> : <span>{formatTime(at, language)}</span>;
}

export default function RobotsTab() {
  const { t } = useTranslation(['robots', 'common']);
  const { project, can } = useProject();
  const { language } = usePreferences();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [editing, setEditing] = useState<Robot | 'new' | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const key = ['robots', project.project_id];
  const list = useQuery({
    queryKey: [...key, { page, pageSize }],
    queryFn: () => api.page<Robot>(`/projects/${project.project_id}/robots`, { page, page_size: pageSize }),
    placeholderData: (prev) => prev,
  });
  const refreshed = () => client.invalidateQueries({ queryKey: key });

  const toggle = async (r: Robot) => {
    try {
      await api.put(`/robots/${r.id}`, { disable: !r.disable });
      void message.success(t(r.disable ? 'enabled' : 'disabled', { name: r.name }));
    } catch (err) {
      void message.error(errorText(err));
    }
    await refreshed();
  };
  const refreshSecret = useRefreshSecret(setSecret);
  const remove = (r: Robot) =>
    confirm({ title: t('deleteConfirm', { name: r.name }), okText: t('common:action.delete'), action: () => api.delete(`/robots/${r.id}`), success: t('deleted', { name: r.name }), invalidate: key });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <TableToolbar create={can('robot', 'create') && { label: t('new'), onClick: () => setEditing('new') }} />
      <ErrorAlert error={list.error} />
      <Table<Robot>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('empty')} /> }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('col.name'), dataIndex: 'name' },
          { title: t('col.status'), render: (_: unknown, r) => (r.disable ? <Tag>{t('statusDisabled')}</Tag> : <Tag color="success">{t('statusEnabled')}</Tag>) },
          {
            title: t('col.permissions'),
            render: (_: unknown, r) => {
              const access = r.permissions.flatMap((p) => p.access);
              return (
                <Tooltip title={access.map((a) => `${a.resource}:${a.action}`).join(', ')}>
                  <span>{t('permissionCount', { count: access.length })}</span>
                </Tooltip>
              );
            },
          },
          { title: t('col.created'), render: (_: unknown, r) => formatTime(r.creation_time, language) },
          { title: t('col.expires'), render: (_: unknown, r) => <Expiry r={r} /> },
          { title: t('col.description'), dataIndex: 'description' },
          {
            title: t('common:table.actions'),
            render: (_: unknown, r) => {
              const items = [
                ...(can('robot', 'update')
                  ? [
                      { key: 'edit', label: t('common:action.edit'), onClick: () => setEditing(r) },
                      { key: 'toggle', label: r.disable ? t('enable') : t('disable'), onClick: () => void toggle(r) },
                      { key: 'refresh', label: t('refreshSecret'), onClick: () => refreshSecret(r) },
                    ]
                  : []),
                ...(can('robot', 'delete') ? [{ key: 'delete', danger: true, label: t('common:action.delete'), onClick: () => remove(r) }] : []),
              ];
              return (
                items.length > 0 && (
                  <Dropdown menu={{ items }} trigger={['click']}>
                    <Button size="small" aria-label={t('actionsOf', { name: r.name })}>
                      {t('common:table.actions')}
                    </Button>
                  </Dropdown>
                )
              );
            },
          },
        ]}
      />
      {editing !== null && <RobotModal key={editing === 'new' ? 'new' : editing.id} open robot={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} onCreated={setSecret} />}
      <SecretModal robot={secret} onClose={() => setSecret(null)} />
    </Space>
  );
}
