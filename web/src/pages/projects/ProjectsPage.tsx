import { useQuery } from '@tanstack/react-query';
import { App, Button, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { ProjectSummary } from '../../api/server-types';
import type { Project, Quota } from '../../api/types';
import { pageQueries } from '../../app/page-queries';
import { usePreferences } from '../../app/preferences';
import { useSession } from '../../auth/session';
import { AccessTag } from '../../components/AccessTag';
import { useConfirmAction } from '../../components/confirm-action';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatTime } from '../../components/format';
import { QuotaBar } from '../../components/QuotaBar';
import { roleKeys } from '../../components/roles';
import { useServerPaging } from '../../components/server-paging';
import { TableToolbar } from '../../components/TableToolbar';
import { CreateProjectModal } from './CreateProjectModal';

function ProjectQuota({ projectId }: { projectId: number }) {
  const { user } = useSession();
  const admin = user?.sysadmin_flag === true;
  const quotas = useQuery({
    queryKey: ['quota', 'project', projectId],
    queryFn: () => api.get<Quota[]>('/quotas', { reference: 'project', reference_id: projectId }),
    staleTime: 30_000,
    enabled: admin,
  });
  // GET /quotas is the system administrators' (403 for anyone else): others find the quota in
  // the project's summary, which has it when their role may read it (the summary tab's entry).
  const summary = useQuery({
    queryKey: ['project', projectId, 'summary'],
    queryFn: () => api.get<ProjectSummary>(`/projects/${projectId}/summary`),
    staleTime: 30_000,
    enabled: !admin,
  });
  const quota = admin ? quotas.data?.[0] : summary.data?.quota;
  return quota ? <QuotaBar used={quota.used.storage} hard={quota.hard.storage} /> : <span>-</span>;
}

export default function ProjectsPage() {
  const { t } = useTranslation(['projects', 'common']);
  const { language } = usePreferences();
  const { user, system } = useSession();
  const { modal } = App.useApp();
  const confirm = useConfirmAction();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useQuery({ ...pageQueries.projects({ page, pageSize, name }), placeholderData: (prev) => prev });
  const mayCreate = user?.sysadmin_flag || system?.project_creation_restriction !== 'adminonly';

  const remove = async (p: Project) => {
    const check = await api.get<{ deletable: boolean; message: string }>(`/projects/${p.project_id}/_deletable`);
    if (!check.deletable) {
      modal.warning({ title: t('deleteRefused', { name: p.name }), content: check.message });
      return;
    }
    confirm({
      title: t('deleteConfirm', { name: p.name }),
      okText: t('common:action.delete'),
      action: () => api.delete(`/projects/${p.project_id}`),
      success: t('deleted', { name: p.name }),
      invalidate: ['projects'],
    });
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('title')}
      </Typography.Title>
      <TableToolbar
        create={mayCreate && { label: t('newProject'), onClick: () => setCreating(true) }}
        search={{
          label: t('searchPlaceholder'),
          onSearch: (v) => {
            setName(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      <Table<Project>
        rowKey="project_id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: name ? t('emptySearch') : t('empty') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('col.name'), dataIndex: 'name', render: (_: unknown, p) => <Link to={`/projects/${p.project_id}/repositories`}>{p.name}</Link> },
          {
            title: t('col.access'),
            render: (_: unknown, p) => <AccessTag isPublic={p.metadata?.public === 'true'} />,
          },
          { title: t('col.role'), render: (_: unknown, p) => (p.current_user_role_id ? t(`common:${roleKeys[p.current_user_role_id] ?? 'role.none'}`) : '-') },
          { title: t('col.repositories'), dataIndex: 'repo_count', align: 'right' },
          { title: t('col.quota'), render: (_: unknown, p) => <ProjectQuota projectId={p.project_id} /> },
          { title: t('col.created'), render: (_: unknown, p) => formatTime(p.creation_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, p) =>
              (user?.sysadmin_flag || p.current_user_role_id === 1) && (
                <Button danger size="small" onClick={() => void remove(p)} aria-label={t('deleteLabel', { name: p.name })}>
                  {t('common:action.delete')}
                </Button>
              ),
          },
        ]}
      />
      <CreateProjectModal open={creating} onClose={() => setCreating(false)} />
    </Space>
  );
}
