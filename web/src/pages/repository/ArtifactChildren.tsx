import { useQuery } from '@tanstack/react-query';
import { Space, Table, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes } from '../../components/format';
import { platformText, shortDigest } from './artifact-kind';
import { artifactApi, artifactPage, repositoryApi } from './paths';
import type { Accessory, Artifact, ArtifactReference } from './types';

/** The children of an index with their sizes: one query (digest={...}) per 100 children. */
async function childrenOf(project: string, repository: string, refs: ArtifactReference[]): Promise<Map<string, Artifact>> {
  const digests = [...new Set(refs.map((r) => r.child_digest))];
  const chunks: string[][] = [];
  for (let i = 0; i < digests.length; i += 100) chunks.push(digests.slice(i, i + 100));
  const pages = await Promise.all(
    chunks.map((c) => api.page<Artifact>(`${repositoryApi(project, repository)}/artifacts`, { q: `base=*,digest={${c.join(' ')}}`, page_size: 100, with_tag: false })),
  );
  return new Map(pages.flatMap((p) => p.items).map((a) => [a.digest, a]));
}

/** An index's platforms: os/arch/variant, size and digest of each child. */
export function IndexPlatforms({ project, projectId, repository, artifact }: { project: string; projectId: number; repository: string; artifact: Artifact }) {
  const { t } = useTranslation('repository');
  const refs = artifact.references ?? [];
  const q = useQuery({ queryKey: ['artifacts', project, repository, 'children', artifact.digest], queryFn: () => childrenOf(project, repository, refs) });
  return (
    <Table<ArtifactReference>
      size="small"
      rowKey="child_digest"
      aria-label={t('index.platformsOf', { digest: shortDigest(artifact.digest) })}
      loading={q.isPending}
      pagination={false}
      dataSource={refs}
      columns={[
        { title: t('index.platform'), render: (_: unknown, r) => platformText(r.platform) },
        { title: t('col.size'), render: (_: unknown, r) => formatBytes(q.data?.get(r.child_digest)?.size) },
        {
          title: t('col.digest'),
          render: (_: unknown, r) => (
            <Link to={artifactPage(projectId, repository, r.child_digest)}>
              <Typography.Text code>{shortDigest(r.child_digest)}</Typography.Text>
            </Link>
          ),
        },
      ]}
    />
  );
}

const accessoryNode = (a: Accessory, projectId: number, repository: string, label: (a: Accessory) => string): DataNode => ({
  key: `${a.subject_artifact_digest}>${a.digest}`,
  title: (
    <Space size="small">
      <Typography.Text strong>{label(a)}</Typography.Text>
      <Link to={artifactPage(projectId, repository, a.digest)}>
        <Typography.Text code>{shortDigest(a.digest)}</Typography.Text>
      </Link>
      <Typography.Text type="secondary">{formatBytes(a.size)}</Typography.Text>
    </Space>
  ),
});

/**
 * Signatures, SBOMs and other accessories as a tree under their subject; an accessory's own
 * accessories (a signed SBOM) load when it is opened.
 */
export function AccessoryTree({ project, projectId, repository, artifact }: { project: string; projectId: number; repository: string; artifact: Artifact }) {
  const { t } = useTranslation('repository');
  const label = (a: Accessory) => t(`accessory.${a.type}`, { defaultValue: a.type });
  const [nodes, setNodes] = useState<DataNode[]>(() => (artifact.accessories ?? []).map((a) => accessoryNode(a, projectId, repository, label)));
  const [error, setError] = useState<unknown>(null);
  const load = async (node: DataNode) => {
    const digest = String(node.key).split('>')[1] ?? '';
    try {
      const page = await api.page<Accessory>(`${artifactApi(project, repository, digest)}/accessories`, { page_size: 100 });
      const kids = page.items.map((a) => accessoryNode(a, projectId, repository, label));
      const attach = (list: DataNode[]): DataNode[] => list.map((n) => (n.key === node.key ? { ...n, children: kids, isLeaf: kids.length === 0 } : n.children ? { ...n, children: attach(n.children) } : n));
      setNodes((prev) => attach(prev));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div>
      <Typography.Text type="secondary">{t('accessory.title')}</Typography.Text>
      <ErrorAlert error={error} />
      <Tree showLine selectable={false} treeData={nodes} loadData={load} aria-label={t('accessory.of', { digest: shortDigest(artifact.digest) })} />
    </div>
  );
}
