import { useQuery } from '@tanstack/react-query';
import { Breadcrumb, Card, Descriptions, Empty, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import { Loading } from '../../app/App';
import { usePreferences } from '../../app/preferences';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes, formatTime } from '../../components/format';
import { useProject } from '../project/project-context';
import { AccessoryTree, IndexPlatforms } from './ArtifactChildren';
import { ArtifactLabels } from './ArtifactLabels';
import { ArtifactTags } from './ArtifactTags';
import { helmConfigType, imageConfigTypes, kindOf, shortDigest } from './artifact-kind';
import { Markdown } from './Markdown';
import { artifactApi, artifactsPage } from './paths';
import { PullCommands } from './PullCommands';
import { TypeIcon } from './TypeIcon';
import type { PullTool } from './registry-commands';
import type { Artifact, HistoryEntry, Manifest } from './types';

/** Layers with their sizes, and the build step that made each (history entries that are not empty_layer). */
function Layers({ manifest, history }: { manifest: Manifest; history: HistoryEntry[] | undefined }) {
  const { t } = useTranslation('repository');
  const steps = (history ?? []).filter((h) => !h.empty_layer);
  const rows = (manifest.layers ?? []).map((l, i) => ({ ...l, index: i + 1, createdBy: steps[i]?.created_by }));
  const total = rows.reduce((n, l) => n + l.size, 0);
  return (
    <Table
      size="small"
      rowKey="index"
      aria-label={t('detail.layers')}
      pagination={false}
      dataSource={rows}
      footer={() => t('detail.layersTotal', { count: rows.length, size: formatBytes(total) })}
      columns={[
        { title: '#', dataIndex: 'index', width: 48 },
        { title: t('col.size'), align: 'right', render: (_: unknown, l) => formatBytes(l.size) },
        { title: t('col.digest'), render: (_: unknown, l) => <Typography.Text code>{shortDigest(l.digest)}</Typography.Text> },
        { title: t('detail.mediaType'), dataIndex: 'mediaType' },
        { title: t('detail.createdBy'), render: (_: unknown, l) => (l.createdBy ? <Typography.Text code>{l.createdBy}</Typography.Text> : '-') },
      ]}
    />
  );
}

function History({ history }: { history: HistoryEntry[] }) {
  const { t } = useTranslation('repository');
  const { language } = usePreferences();
  return (
    <Table
      size="small"
      rowKey={(_, i) => String(i)}
      aria-label={t('detail.history')}
      pagination={false}
      dataSource={history}
      columns={[
        { title: t('detail.created'), render: (_: unknown, h: HistoryEntry) => formatTime(h.created, language), width: 200 },
        { title: t('detail.createdBy'), render: (_: unknown, h: HistoryEntry) => <Typography.Text code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{h.created_by ?? ''}</Typography.Text> },
        { title: t('detail.emptyLayer'), render: (_: unknown, h: HistoryEntry) => (h.empty_layer ? t('detail.yes') : ''), width: 120 },
      ]}
    />
  );
}

/** Annotations as a table of text: keys and values are the pusher's, shown literally. */
function Annotations({ annotations }: { annotations: Record<string, string> | undefined }) {
  const { t } = useTranslation('repository');
  const rows = Object.entries(annotations ?? {}).map(([key, value]) => ({ key, value }));
  if (rows.length === 0) return <Empty description={t('detail.noAnnotations')} />;
  return (
    <Table
      size="small"
      rowKey="key"
      aria-label={t('detail.annotations')}
      pagination={false}
      dataSource={rows}
      columns={[
        { title: t('detail.key'), dataIndex: 'key', width: '35%' },
        { title: t('detail.value'), render: (_: unknown, r) => <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{r.value}</span> },
      ]}
    />
  );
}

export default function ArtifactDetailPage() {
  const { t } = useTranslation(['repository', 'common']);
  const { language } = usePreferences();
  const { project, can } = useProject();
  const params = useParams();
  const repository = params.repositoryName ?? '';
  const reference = params.reference ?? '';
  const [tool, setTool] = useState<PullTool>('podman');
  const base = artifactApi(project.name, repository, reference);
  const art = useQuery({
    queryKey: ['artifact', project.name, repository, reference],
    queryFn: () => api.get<Artifact>(base, { with_tag: true, with_label: true, with_immutable_status: true, with_accessory: true }),
  });
  const manifest = useQuery({ queryKey: ['artifact', project.name, repository, reference, 'manifest'], queryFn: () => api.get<Manifest>(`${base}/manifest`) });
  const a = art.data;
  const isImage = !!a && imageConfigTypes.has(a.media_type);
  const isChart = !!a && a.media_type === helmConfigType;
  const history = useQuery({ queryKey: ['artifact', project.name, repository, reference, 'history'], queryFn: () => api.get<HistoryEntry[] | null>(`${base}/additions/build_history`), enabled: isImage });
  const readme = useQuery({ queryKey: ['artifact', project.name, repository, reference, 'readme'], queryFn: () => api.text(`${base}/additions/readme.md`), enabled: isChart });
  const values = useQuery({ queryKey: ['artifact', project.name, repository, reference, 'values'], queryFn: () => api.text(`${base}/additions/values.yaml`), enabled: isChart });

  if (art.error) return <ErrorAlert error={art.error} />;
  if (!a) return <Loading />;
  const kind = kindOf(a);
  const m = manifest.data;
  const tabs = [
    { key: 'overview', label: t('detail.overview'), children: <Annotations annotations={a.annotations} /> },
    ...(kind === 'index'
      ? [{ key: 'platforms', label: t('detail.platforms'), children: <IndexPlatforms project={project.name} projectId={project.project_id} repository={repository} artifact={a} /> }]
      : m
        ? [{ key: 'layers', label: t('detail.layers'), children: <Layers manifest={m} history={history.data ?? undefined} /> }]
        : []),
    ...(isImage ? [{ key: 'history', label: t('detail.history'), children: history.error ? <ErrorAlert error={history.error} /> : <History history={history.data ?? []} /> }] : []),
    ...(isChart && readme.data?.trim() ? [{ key: 'readme', label: t('detail.readme'), children: <Markdown text={readme.data} label={t('detail.readme')} /> }] : []),
    ...(isChart && values.data?.trim()
      ? [{ key: 'values', label: t('detail.values'), children: <pre style={{ whiteSpace: 'pre-wrap' }} aria-label={t('detail.values')}>{values.data}</pre> }]
      : []),
    {
      key: 'manifest',
      label: t('detail.manifest'),
      children: manifest.error ? <ErrorAlert error={manifest.error} /> : <pre aria-label={t('detail.manifest')} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 600, overflow: 'auto' }}>{m ? JSON.stringify(m, null, 2) : ''}</pre>,
    },
    ...((a.accessories?.length ?? 0) > 0
      ? [{ key: 'accessories', label: t('detail.accessories'), children: <AccessoryTree project={project.name} projectId={project.project_id} repository={repository} artifact={a} /> }]
      : []),
    { key: 'pull', label: t('pull.title'), children: <PullCommands project={project.name} repository={repository} artifact={a} tool={tool} onTool={setTool} /> },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb
        items={[
          { title: <Link to={`/projects/${project.project_id}/repositories`}>{t('repo.title')}</Link> },
          { title: <Link to={artifactsPage(project.project_id, repository)}>{repository}</Link> },
          { title: shortDigest(a.digest) },
        ]}
      />
      <Space align="center">
        <TypeIcon kind={kind} />
        <Typography.Title level={3} style={{ margin: 0 }}>
          {`${project.name}/${repository}@${shortDigest(a.digest)}`}
        </Typography.Title>
      </Space>
      <Card size="small">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 'digest', label: t('col.digest'), children: <Typography.Text code copyable={{ text: a.digest, tooltips: [t('common:action.copy'), t('common:action.copied')] }}>{a.digest}</Typography.Text>, span: 2 },
            { key: 'type', label: t('detail.type'), children: t(`kind.${kind}`) },
            { key: 'size', label: t('col.size'), children: formatBytes(a.size) },
            { key: 'media', label: t('detail.mediaType'), children: a.manifest_media_type },
            { key: 'config', label: t('detail.configType'), children: a.artifact_type ?? a.media_type },
            { key: 'pushed', label: t('col.pushed'), children: formatTime(a.push_time, language) },
            { key: 'pulled', label: t('col.pulled'), children: formatTime(a.pull_time, language) },
            { key: 'tags', label: t('col.tags'), children: <ArtifactTags project={project.name} repository={repository} artifact={a} mayDelete={can('tag', 'delete')} />, span: 2 },
            { key: 'labels', label: t('col.labels'), children: <ArtifactLabels project={project} repository={repository} artifact={a} mayAdd={can('artifact-label', 'create')} mayRemove={can('artifact-label', 'delete')} />, span: 2 },
          ]}
        />
      </Card>
      <Tabs items={tabs} />
    </Space>
  );
}
