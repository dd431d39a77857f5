import { DeleteOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, Button, Form, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { useSession } from '../../../auth/session';
import { useConfirmAction } from '../../../components/confirm-action';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { roleKeys } from '../../../components/roles';
import { useServerPaging } from '../../../components/server-paging';
import { TableToolbar } from '../../../components/TableToolbar';
import { useProject } from '../project-context';
import type { Member } from '../../../api/server-types';
import { FormModal } from '../../../components/FormModal';


/** The roles a project admin hands out, in Harbor's order of power. */
const roleIds = [1, 4, 2, 3, 5];

function useRoleOptions() {
  const { t } = useTranslation(['members', 'common']);
  return roleIds.map((id) => ({ value: id, label: t(`common:${roleKeys[id]}`) }));
}

function AddMemberModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation(['members', 'common']);
  const { project } = useProject();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ username: string; role_id: number }>();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const options = useRoleOptions();
  // Harbor's user search: as the name is typed, names that contain it.
  const users = useQuery({
    queryKey: ['users', 'search', typed],
    queryFn: () => api.get<Array<{ user_id: number; username: string }>>('/users/search', { username: typed, page_size: 10 }),
    enabled: open && typed.length > 0,
  });
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post(`/projects/${project.project_id}/members`, { role_id: v.role_id, member_user: { username: v.username.trim() } });
      void message.success(t('added', { name: v.username.trim() }));
      await client.invalidateQueries({ queryKey: ['members', project.project_id] });
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={open} title={t('add')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ role_id: 2 }}>
        <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }]} extra={t('usernameHelp')}>
          <AutoComplete options={(users.data ?? []).map((u) => ({ value: u.username }))} onSearch={(v) => setTyped(v.trim())} autoFocus />
        </Form.Item>
        <Form.Item name="role_id" label={t('role')}>
          <Select options={options} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

export default function MembersTab() {
  const { t } = useTranslation(['members', 'common']);
  const { project, can } = useProject();
  const { user } = useSession();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [name, setName] = useState('');
  const [adding, setAdding] = useState(false);
  const options = useRoleOptions();
  const key = ['members', project.project_id];
  const list = useQuery({
    queryKey: [...key, { page, pageSize, name }],
    queryFn: () => api.page<Member>(`/projects/${project.project_id}/members`, { page, page_size: pageSize, entityname: name }),
    placeholderData: (prev) => prev,
  });
  const mayUpdate = can('member', 'update');
  const mayDelete = can('member', 'delete');

  const changeRole = async (m: Member, role: number) => {
    try {
      await api.put(`/projects/${project.project_id}/members/${m.id}`, { role_id: role });
      void message.success(t('roleChanged', { name: m.entity_name, role: t(`common:${roleKeys[role]}`) }));
    } catch (err) {
      void message.error(errorText(err));
    }
    await client.invalidateQueries({ queryKey: key });
  };
  const remove = (m: Member) =>
    confirm({
      title: t('removeConfirm', { name: m.entity_name }),
      okText: t('remove'),
      action: () => api.delete(`/projects/${project.project_id}/members/${m.id}`),
      success: t('removed', { name: m.entity_name }),
      invalidate: key,
    });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <TableToolbar
        create={can('member', 'create') && { label: t('add'), onClick: () => setAdding(true) }}
        search={{
          label: t('search'),
          onSearch: (v) => {
            setName(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      <Table<Member>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={name ? t('emptySearch') : t('empty')} /> }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('col.name'), dataIndex: 'entity_name' },
          {
            title: t('col.role'),
            render: (_: unknown, m) =>
              // Nobody changes their own role: Harbor refuses it, and it would lock the admin out.
              mayUpdate && m.entity_id !== user?.user_id ? (
                <Select size="small" value={m.role_id} options={options} onChange={(v) => void changeRole(m, v)} aria-label={t('roleOf', { name: m.entity_name })} style={{ width: 150 }} />
              ) : (
                t(`common:${roleKeys[m.role_id] ?? 'role.none'}`)
              ),
          },
          {
            title: t('common:table.actions'),
            render: (_: unknown, m) =>
              mayDelete &&
              m.entity_id !== user?.user_id && <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('removeLabel', { name: m.entity_name })} onClick={() => remove(m)} />,
          },
        ]}
      />
      <AddMemberModal open={adding} onClose={() => setAdding(false)} />
    </Space>
  );
}
