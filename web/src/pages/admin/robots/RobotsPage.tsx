import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { useServerPaging } from '../../../components/server-paging';
import { TableToolbar } from '../../../components/TableToolbar';
import type { Robot } from '../types';

/** The permissions a system robot is commonly given (resource:action of Harbor's matrix). */
const permissions = ['repository:pull', 'repository:push', 'repository:delete', 'artifact:read', 'artifact:delete', 'tag:create', 'tag:delete', 'artifact-label:create', 'artifact-label:delete', 'scan:create'] as const;

interface Created {
  name: string;
  secret: string;
}

function CreateRobotModal({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(c: Created): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const access = (v.access as string[]).map((p) => {
        const [resource, action] = p.split(':') as [string, string];
        return { resource, action };
      });
      const namespaces = v.allProjects ? ['*'] : String(v.projects ?? '').split(/[\s,]+/).filter(Boolean);
      const created = await api.post<Created>('/robots', {
        name: v.name,
        description: v.description ?? '',
        level: 'system',
        duration: v.never ? -1 : v.days,
        permissions: namespaces.map((namespace) => ({ kind: 'project', namespace, access })),
      });
      await client.invalidateQueries({ queryKey: ['admin-robots'] });
      form.resetFields();
      onClose();
      onCreated(created);
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('robots.new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.create')} cancelText={t('common:action.cancel')} destroyOnHidden width={640}>
      <Form form={form} layout="vertical" initialValues={{ days: 30, never: false, allProjects: true, access: ['repository:pull'] }}>
        <Form.Item name="name" label={t('robots.name')} rules={[{ required: true, message: t('robots.nameRequired') }, { pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, message: t('robots.nameRule') }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="description" label={t('robots.description')}>
          <Input />
        </Form.Item>
        <Space align="start">
          <Form.Item name="days" label={t('robots.days')}>
            <InputNumber min={1} max={3650} precision={0} />
          </Form.Item>
          <Form.Item name="never" valuePropName="checked" label={t('robots.expiry')}>
            <Checkbox>{t('robots.never')}</Checkbox>
          </Form.Item>
        </Space>
        <Form.Item name="allProjects" valuePropName="checked">
          <Checkbox>{t('robots.allProjects')}</Checkbox>
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.allProjects !== b.allProjects}>
          {({ getFieldValue }) =>
            !getFieldValue('allProjects') && (
              <Form.Item name="projects" label={t('robots.projects')} extra={t('robots.projectsHelp')} rules={[{ required: true, message: t('robots.projectsRequired') }]}>
                <Input />
              </Form.Item>
            )
          }
        </Form.Item>
        <Form.Item name="access" label={t('robots.permissions')} rules={[{ required: true, type: 'array', min: 1, message: t('robots.permissionsRequired') }]}>
          <Checkbox.Group options={permissions.map((p) => ({ value: p, label: t(`robots.perm.${p.replace(':', '_')}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** System robot accounts: robots with rights in several (or all) projects. */
export default function RobotsPage() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<Created | null>(null);
  const list = useQuery({
    queryKey: ['admin-robots', { page, pageSize }],
    queryFn: () => api.page<Robot>('/robots', { q: 'Level=system', page, page_size: pageSize }),
    placeholderData: (prev) => prev,
  });
  const toggle = async (r: Robot) => {
    try {
      await api.put(`/robots/${r.id}`, { disable: !r.disable });
      await client.invalidateQueries({ queryKey: ['admin-robots'] });
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  const remove = (r: Robot) =>
    confirm({ title: t('robots.deleteConfirm', { name: r.name }), okText: t('common:action.delete'), action: () => api.delete(`/robots/${r.id}`), invalidate: ['admin-robots'] });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('robots.title')}
      </Typography.Title>
      <TableToolbar create={{ label: t('robots.new'), onClick: () => setCreating(true) }} />
      <ErrorAlert error={list.error} />
      <Table<Robot>
        rowKey="id"
        aria-label={t('robots.title')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('robots.empty') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('robots.name'), dataIndex: 'name' },
          { title: t('robots.state'), render: (_: unknown, r) => (r.disable ? <Tag>{t('robots.disabled')}</Tag> : <Tag color="success">{t('robots.enabled')}</Tag>) },
          { title: t('robots.projects'), render: (_: unknown, r) => r.permissions.map((p) => (p.namespace === '*' ? t('robots.allProjects') : p.namespace)).join(', ') },
          { title: t('robots.permissions'), render: (_: unknown, r) => t('robots.permCount', { count: r.permissions[0]?.access.length ?? 0 }) },
          { title: t('robots.expires'), render: (_: unknown, r) => (r.expires_at < 0 ? t('robots.never') : formatTime(new Date(r.expires_at * 1000).toISOString(), language)) },
          { title: t('robots.description'), dataIndex: 'description', ellipsis: true },
          {
            title: t('common:table.actions'),
            render: (_: unknown, r) => (
              <Space>
                <Button size="small" onClick={() => void toggle(r)} aria-label={t(r.disable ? 'robots.enableOf' : 'robots.disableOf', { name: r.name })}>
                  {r.disable ? t('robots.enable') : t('robots.disable')}
                </Button>
                <Button size="small" danger onClick={() => remove(r)} aria-label={t('robots.deleteOf', { name: r.name })}>
                  {t('common:action.delete')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <CreateRobotModal open={creating} onClose={() => setCreating(false)} onCreated={setSecret} />
      <Modal open={secret !== null} title={t('robots.secretTitle', { name: secret?.name })} onOk={() => setSecret(null)} onCancel={() => setSecret(null)} cancelButtonProps={{ style: { display: 'none' } }} okText={t('common:action.close')}>
        <Typography.Paragraph>{t('robots.secretOnce')}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: secret?.secret ?? '' }} code>
          {secret?.secret}
        </Typography.Paragraph>
      </Modal>
    </Space>
  );
}
