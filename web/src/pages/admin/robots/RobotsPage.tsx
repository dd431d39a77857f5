import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Dropdown, Form, Input, InputNumber, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { useConfirmAction } from '../../../components/confirm-action';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { useProjectSearch } from '../../../components/project-search';
import { PermissionPicker } from '../../../components/robots/PermissionPicker';
import { SecretModal } from '../../../components/robots/SecretModal';
import { useServerPaging } from '../../../components/server-paging';
import { TableToolbar } from '../../../components/TableToolbar';
import type { Robot } from '../types';
import { useRefreshSecret } from '../../../components/robots/refresh-secret';
import { FormModal } from '../../../components/FormModal';

interface Created {
  name: string;
  secret: string;
}

interface CreateValues {
  name: string;
  description?: string;
  days: number;
  never: boolean;
  coverage: 'all' | 'some';
  projects?: string[];
  access: string[];
}

/** The projects to pick from, as the name is typed. */
function ProjectSelect({ value, onChange }: { value?: string[]; onChange?(v: string[]): void }) {
  const { t } = useTranslation('admin');
  const [typed, setTyped] = useState('');
  const projects = useProjectSearch(typed);
  return (
    <Select
      mode="multiple"
      showSearch
      filterOption={false}
      value={value ?? []}
      onChange={onChange}
      onSearch={(v) => setTyped(v.trim())}
      loading={projects.isFetching}
      options={(projects.data ?? []).map((p) => ({ value: p.name, label: p.name }))}
      placeholder={t('robots.projectsPlaceholder')}
      aria-label={t('robots.projects')}
    />
  );
}

function CreateRobotModal({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(c: Created): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const [busy, setBusy] = useState(false);
  const coverage = Form.useWatch('coverage', form);
  const never = Form.useWatch('never', form);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const access = v.access.map((p) => {
        const [resource, action] = p.split(':') as [string, string];
        return { resource, action };
      });
      // One permission set for every covered project, as Harbor's system robot form gives.
      const namespaces = v.coverage === 'all' ? ['*'] : (v.projects ?? []);
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
    <FormModal open={open} title={t('robots.new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.create')} cancelText={t('common:action.cancel')} destroyOnHidden width={860}>
      <Form form={form} layout="vertical" initialValues={{ days: 30, never: false, coverage: 'all', access: ['repository:pull'] }}>
        <Form.Item name="name" label={t('robots.name')} rules={[{ required: true, message: t('robots.nameRequired') }, { pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, message: t('robots.nameRule') }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="description" label={t('robots.description')}>
          <Input maxLength={1024} />
        </Form.Item>
        <Space align="start">
          <Form.Item name="days" label={t('robots.days')}>
            <InputNumber min={1} max={3650} precision={0} disabled={never} />
          </Form.Item>
          <Form.Item name="never" valuePropName="checked" label={t('robots.expiry')}>
            <Checkbox>{t('robots.never')}</Checkbox>
          </Form.Item>
        </Space>
        <Form.Item name="coverage" label={t('robots.coverage')}>
          <Radio.Group
            options={[
              { value: 'all', label: t('robots.allProjects') },
              { value: 'some', label: t('robots.someProjects') },
            ]}
          />
        </Form.Item>
        {coverage === 'some' && (
          <Form.Item name="projects" label={t('robots.projects')} rules={[{ required: true, type: 'array', min: 1, message: t('robots.projectsRequired') }]}>
            <ProjectSelect />
          </Form.Item>
        )}
        <Form.Item name="access" label={t('robots.permissions')} rules={[{ required: true, type: 'array', min: 1, message: t('robots.permissionsRequired') }]}>
          {/* A system administrator holds every permission, so all of them can be granted. */}
          <PermissionPicker holds={() => true} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** System robot accounts: robots with rights in several (or all) projects. */
export default function RobotsPage() {
  const { t } = useTranslation(['admin', 'common', 'robots']);
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
  const refreshSecret = useRefreshSecret(setSecret);
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
              <Dropdown
                trigger={['click']}
                menu={{
                  items: [
                    { key: 'toggle', label: r.disable ? t('robots.enable') : t('robots.disable'), onClick: () => void toggle(r) },
                    { key: 'refresh', label: t('robots:refreshSecret'), onClick: () => refreshSecret(r) },
                    { key: 'delete', danger: true, label: t('common:action.delete'), onClick: () => remove(r) },
                  ],
                }}
              >
                <Button size="small" aria-label={t('robots.actionsOf', { name: r.name })}>
                  {t('common:table.actions')}
                </Button>
              </Dropdown>
            ),
          },
        ]}
      />
      <CreateRobotModal open={creating} onClose={() => setCreating(false)} onCreated={setSecret} />
      <SecretModal robot={secret} onClose={() => setSecret(null)} />
    </Space>
  );
}
