import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { usePreferences } from '../../app/preferences';
import { useConfirmAction } from '../../components/confirm-action';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatTime } from '../../components/format';
import { useServerPaging } from '../../components/server-paging';
import { TableToolbar } from '../../components/TableToolbar';
import { useProject } from '../project/project-context';
import { CopyCommand } from './CopyCommand';
import { DescriptionModal } from './DescriptionModal';
import { Markdown } from './Markdown';
import { artifactsPage, nameInProject, repositoryApi } from './paths';
import { loginCommand, pushCommand, useRegistryHost } from './registry-commands';
import type { Repository } from './types';

/** An empty project says how to fill it: the exact commands for this server. */
function PushHelp({ project }: { project: string }) {
  const { t } = useTranslation(['repository', 'common']);
  const { host, insecure } = useRegistryHost();
  return (
    <Card title={t('empty.title')} style={{ maxWidth: 760 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>{t('empty.login')}</Typography.Text>
        <CopyCommand command={loginCommand(host, insecure)} label={t('empty.copyLogin')} />
        <Typography.Text>{t('empty.push')}</Typography.Text>
        <CopyCommand command={pushCommand(host, project, insecure)} label={t('empty.copyPush')} />
      </Space>
    </Card>
  );
}

export default function RepositoriesTab() {
  const { t } = useTranslation(['repository', 'common']);
  const { language } = usePreferences();
  const { project, can } = useProject();
  const confirm = useConfirmAction();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Repository | null>(null);
  const list = useQuery({
    queryKey: ['repositories', project.name, { page, pageSize, search }],
    queryFn: () => api.page<Repository>(`/projects/${encodeURIComponent(project.name)}/repositories`, { page, page_size: pageSize, q: search ? `name=~${search}` : undefined, sort: '-update_time' }),
    placeholderData: (prev) => prev,
  });
  const mayUpdate = can('repository', 'update');
  const mayDelete = can('repository', 'delete');

  const remove = (r: Repository) => {
    const name = nameInProject(project.name, r.name);
    confirm({
      title: t('repo.deleteConfirm', { name: r.name }),
      content: t('repo.deleteWarning', { count: r.artifact_count }),
      okText: t('common:action.delete'),
      action: () => api.delete(repositoryApi(project.name, name)),
      success: t('repo.deleted', { name: r.name }),
      invalidate: ['repositories', project.name],
    });
  };

  const empty = !list.isPending && !list.error && (list.data?.total ?? 0) === 0 && !search;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <TableToolbar
        search={{
          label: t('repo.search'),
          onSearch: (v) => {
            setSearch(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      {empty ? (
        <PushHelp project={project.name} />
      ) : (
        <Table<Repository>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('repo.emptySearch') }}
          expandable={{
            rowExpandable: (r) => r.description.trim() !== '',
            expandedRowRender: (r) => <Markdown text={r.description} label={t('repo.descriptionOf', { name: r.name })} />,
          }}
          pagination={paging.pagination(list.data?.total ?? 0)}
          columns={[
            {
              title: t('repo.col.name'),
              render: (_: unknown, r) => <Link to={artifactsPage(project.project_id, nameInProject(project.name, r.name))}>{r.name}</Link>,
            },
            { title: t('repo.col.artifacts'), dataIndex: 'artifact_count', align: 'right' },
            { title: t('repo.col.pulls'), dataIndex: 'pull_count', align: 'right' },
            { title: t('repo.col.updated'), render: (_: unknown, r) => formatTime(r.update_time, language) },
            {
              title: t('common:table.actions'),
              render: (_: unknown, r) => (
                <Space size="small">
                  {mayUpdate && (
                    <Tooltip title={t('repo.editDescription')}>
                      <Button size="small" icon={<EditOutlined />} aria-label={t('repo.editDescriptionOf', { name: r.name })} onClick={() => setEditing(r)} />
                    </Tooltip>
                  )}
                  {mayDelete && (
                    <Tooltip title={t('repo.delete')}>
                      <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('repo.deleteOf', { name: r.name })} onClick={() => remove(r)} />
                    </Tooltip>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      {editing && <DescriptionModal project={project.name} repository={editing} onClose={() => setEditing(null)} />}
    </Space>
  );
}
