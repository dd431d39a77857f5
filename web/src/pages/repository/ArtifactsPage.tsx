import { CopyOutlined, DeleteOutlined, EditOutlined, TagOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Breadcrumb, Button, Card, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import { pageQueries } from '../../app/page-queries';
import { usePreferences } from '../../app/preferences';
import { useConfirmAction } from '../../components/confirm-action';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes, formatTime } from '../../components/format';
import { LabelTag } from '../../components/LabelTag';
import { useServerPaging } from '../../components/server-paging';
import { TableToolbar } from '../../components/TableToolbar';
import { useProject } from '../project/project-context';
import { AddTagModal } from './AddTagModal';
import { AccessoryTree, IndexPlatforms } from './ArtifactChildren';
import { ArtifactTags } from './ArtifactTags';
import { kindOf, shortDigest } from './artifact-kind';
import { CopyArtifactModal } from './CopyArtifactModal';
import { DescriptionModal } from './DescriptionModal';
import { Markdown } from './Markdown';
import { artifactApi, artifactPage, repositoryApi, shortRef } from './paths';
import { PullCommandButton } from './PullCommands';
import { TypeIcon } from './TypeIcon';
import type { Artifact } from './types';

/** Label chips in the label's own colour; the name is text, whatever it holds. */
export function LabelChips({ labels }: { labels: Artifact['labels'] }) {
  if (!labels || labels.length === 0) return null;
  return (
    <Space size={[4, 4]} wrap>
      {labels.map((l) => (
        <LabelTag key={l.id} name={l.name} color={l.color} />
      ))}
    </Space>
  );
}

type Dialog = { kind: 'tag' | 'copy'; artifact: Artifact } | null;

export default function ArtifactsPage() {
  const { t } = useTranslation(['repository', 'common']);
  const { language } = usePreferences();
  const { project, can } = useProject();
  const repository = useParams().repositoryName ?? '';
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const navigate = useNavigate();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [tagFilter, setTagFilter] = useState('');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [editing, setEditing] = useState(false);
  const repo = useQuery(pageQueries.repository(project.name, repository));
  const list = useQuery({ ...pageQueries.artifacts(project.name, repository, { page, pageSize, tagFilter }), placeholderData: (prev) => prev });
  const may = {
    deleteArtifact: can('artifact', 'delete'),
    copy: can('artifact', 'create'),
    addTag: can('tag', 'create'),
    deleteTag: can('tag', 'delete'),
    editDescription: can('repository', 'update'),
  };

  const remove = (a: Artifact) =>
    confirm({
      title: t('artifact.deleteConfirm', { artifact: shortRef(a) }),
      content: t('artifact.deleteWarning', { count: a.tags?.length ?? 0 }),
      okText: t('common:action.delete'),
      action: () => api.delete(artifactApi(project.name, repository, a.digest)),
      success: t('artifact.deleted', { artifact: shortRef(a) }),
      invalidate: ['repositories', project.name],
      after: async () => {
        // The last artifact takes its repository with it (as in Harbor): back to the list then.
        const gone = await api.get(repositoryApi(project.name, repository)).then(
          () => false,
          (err: unknown) => err instanceof ApiError && err.status === 404,
        );
        if (gone) {
          void message.info(t('repo.goneWithLast', { name: `${project.name}/${repository}` }));
          void navigate(`/projects/${project.project_id}/repositories`);
          return;
        }
        await client.invalidateQueries({ queryKey: ['artifacts', project.name, repository] });
        await client.invalidateQueries({ queryKey: ['repository', project.name, repository] });
      },
    });

  const description = repo.data?.description ?? '';
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb items={[{ title: <Link to={`/projects/${project.project_id}/repositories`}>{t('repo.title')}</Link> }, { title: repository }]} />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {`${project.name}/${repository}`}
      </Typography.Title>
      <ErrorAlert error={repo.error} />
      {repo.data && (
        <Card
          size="small"
          title={t('repo.description')}
          extra={
            may.editDescription && (
              <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('repo.editDescription')}
              </Button>
            )
          }
        >
          {description.trim() ? <Markdown text={description} label={t('repo.description')} /> : <Typography.Text type="secondary">{t('repo.noDescription')}</Typography.Text>}
        </Card>
      )}
      <TableToolbar
        search={{
          label: t('artifact.filter'),
          onSearch: (v) => {
            setTagFilter(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      <Table<Artifact>
        rowKey="digest"
        aria-label={t('artifact.list')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: tagFilter ? t('artifact.emptySearch') : t('artifact.empty') }}
        expandable={{
          rowExpandable: (a) => (a.references?.length ?? 0) > 0 || (a.accessories?.length ?? 0) > 0,
          expandedRowRender: (a) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {(a.references?.length ?? 0) > 0 && <IndexPlatforms project={project.name} projectId={project.project_id} repository={repository} artifact={a} />}
              {(a.accessories?.length ?? 0) > 0 && <AccessoryTree project={project.name} projectId={project.project_id} repository={repository} artifact={a} />}
            </Space>
          ),
        }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          {
            title: t('col.artifact'),
            render: (_: unknown, a) => (
              <Space size="small">
                <TypeIcon kind={kindOf(a)} />
                <Link to={artifactPage(project.project_id, repository, a.digest)}>
                  <Typography.Text code>{shortDigest(a.digest)}</Typography.Text>
                </Link>
              </Space>
            ),
          },
          { title: t('col.tags'), render: (_: unknown, a) => <ArtifactTags project={project.name} repository={repository} artifact={a} mayDelete={may.deleteTag} /> },
          { title: t('col.size'), align: 'right', render: (_: unknown, a) => formatBytes(a.size) },
          { title: t('col.labels'), render: (_: unknown, a) => <LabelChips labels={a.labels} /> },
          { title: t('col.pushed'), render: (_: unknown, a) => formatTime(a.push_time, language) },
          { title: t('col.pulled'), render: (_: unknown, a) => formatTime(a.pull_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, a) => (
              <Space size="small">
                <PullCommandButton project={project.name} repository={repository} artifact={a} />
                {may.addTag && (
                  <Button title={t('tag.add')} size="small" icon={<TagOutlined />} aria-label={t('tag.add')} onClick={() => setDialog({ kind: 'tag', artifact: a })} />
                )}
                {may.copy && (
                  <Button title={t('copy.action')} size="small" icon={<CopyOutlined />} aria-label={t('copy.action')} onClick={() => setDialog({ kind: 'copy', artifact: a })} />
                )}
                {may.deleteArtifact && (
                  <Button title={t('artifact.delete')} size="small" danger icon={<DeleteOutlined />} aria-label={t('artifact.delete')} onClick={() => remove(a)} />
                )}
              </Space>
            ),
          },
        ]}
      />
      {dialog?.kind === 'tag' && <AddTagModal project={project.name} repository={repository} artifact={dialog.artifact} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'copy' && <CopyArtifactModal project={project.name} repository={repository} artifact={dialog.artifact} onClose={() => setDialog(null)} />}
      {editing && repo.data && <DescriptionModal project={project.name} repository={repo.data} onClose={() => setEditing(false)} />}
    </Space>
  );
}
