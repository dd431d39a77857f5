import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import type { User } from '../../../api/types';
import { usePreferences } from '../../../app/preferences';
import { useSession } from '../../../auth/session';
import { useConfirmAction } from '../../../components/confirm-action';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import { useServerPaging } from '../../../components/server-paging';
import { TableToolbar } from '../../../components/TableToolbar';
import { CreateUserModal, ResetPasswordModal } from './UserModals';

/** Harbor's "Users": server-paged, searched by user name; create, admin flag, password, delete. */
export default function UsersPage() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { user: me } = useSession();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const list = useQuery({
    queryKey: ['admin-users', { page, pageSize, name }],
    // Harbor's q: a fuzzy match on the user name; the value is the API's to escape.
    queryFn: () => api.page<User>('/users', { page, page_size: pageSize, q: name ? `username=~${name}` : undefined }),
    placeholderData: (prev) => prev,
  });

  const setAdmin = async (u: User, flag: boolean) => {
    try {
      await api.put(`/users/${u.user_id}/sysadmin`, { sysadmin_flag: flag });
      void message.success(t(flag ? 'users.madeAdmin' : 'users.unmadeAdmin', { name: u.username }));
      await client.invalidateQueries({ queryKey: ['admin-users'] });
    } catch (err) {
      void message.error(errorText(err));
    }
  };

  const remove = (u: User) =>
    confirm({
      title: t('users.deleteConfirm', { name: u.username }),
      content: t('users.deleteText'),
      okText: t('common:action.delete'),
      action: () => api.delete(`/users/${u.user_id}`),
      success: t('users.deleted', { name: u.username }),
      invalidate: ['admin-users'],
    });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('users.title')}
      </Typography.Title>
      <TableToolbar
        create={{ label: t('users.new'), onClick: () => setCreating(true) }}
        search={{
          label: t('users.search'),
          onSearch: (v) => {
            setName(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      <Table<User>
        rowKey="user_id"
        aria-label={t('users.title')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: name ? t('users.emptySearch') : t('users.empty') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          {
            title: t('users.username'),
            render: (_: unknown, u) => (
              <Space>
                {u.username}
                {u.sysadmin_flag && <Tag color="warning">{t('users.admin')}</Tag>}
              </Space>
            ),
          },
          { title: t('users.realname'), dataIndex: 'realname' },
          { title: t('users.email'), dataIndex: 'email' },
          { title: t('users.comment'), dataIndex: 'comment', ellipsis: true },
          { title: t('users.created'), render: (_: unknown, u) => formatTime(u.creation_time, language) },
          {
            title: t('common:table.actions'),
            width: 300,
            render: (_: unknown, u) => {
              const self = u.user_id === me?.user_id;
              return (
                <Space size={4} wrap>
                  {!self &&
                    (u.sysadmin_flag ? (
                      <Button size="small" onClick={() => void setAdmin(u, false)} aria-label={t('users.unsetAdminOf', { name: u.username })}>
                        {t('users.unsetAdmin')}
                      </Button>
                    ) : (
                      <Button size="small" onClick={() => void setAdmin(u, true)} aria-label={t('users.setAdminOf', { name: u.username })}>
                        {t('users.setAdmin')}
                      </Button>
                    ))}
                  <Button size="small" onClick={() => setResetting(u)} aria-label={t('users.resetOf', { name: u.username })}>
                    {t('users.resetPassword')}
                  </Button>
                  {!self && (
                    <Button size="small" danger onClick={() => remove(u)} aria-label={t('users.deleteOf', { name: u.username })}>
                      {t('common:action.delete')}
                    </Button>
                  )}
                </Space>
              );
            },
          },
        ]}
      />
      <CreateUserModal open={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Space>
  );
}
