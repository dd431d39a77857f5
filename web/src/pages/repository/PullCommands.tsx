import { CloudDownloadOutlined } from '@ant-design/icons';
import { Button, Popover, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyCommand } from './CopyCommand';
import { pullCommand, pullTools, useRegistryHost, type PullTool } from './registry-commands';
import type { Artifact } from './types';

/** The pull commands of an artifact for docker, podman and skopeo, by each tag and by digest. */
export function PullCommands({ project, repository, artifact, tool, onTool }: { project: string; repository: string; artifact: Artifact; tool: PullTool; onTool(t: PullTool): void }) {
  const { t } = useTranslation('repository');
  const { host, insecure } = useRegistryHost();
  const image = `${host}/${project}/${repository}`;
  const refs = [...(artifact.tags ?? []).map((tag) => ({ key: `tag ${tag.name}`, label: t('pull.byTag', { tag: tag.name }), image: `${image}:${tag.name}` })), { key: 'digest', label: t('pull.byDigest'), image: `${image}@${artifact.digest}` }];
  return (
    <Space direction="vertical" style={{ width: 560, maxWidth: '80vw' }}>
      <Segmented<PullTool> aria-label={t('pull.tool')} value={tool} onChange={onTool} options={pullTools.map((x) => ({ value: x, label: x }))} />
      {refs.map((r) => (
        <Space key={r.key} direction="vertical" size={2} style={{ width: '100%' }}>
          <Typography.Text type="secondary">{r.label}</Typography.Text>
          <CopyCommand command={pullCommand(tool, r.image, insecure)} label={t('pull.copy', { what: r.label })} />
        </Space>
      ))}
    </Space>
  );
}

export function PullCommandButton(props: { project: string; repository: string; artifact: Artifact }) {
  const { t } = useTranslation('repository');
  const [tool, setTool] = useState<PullTool>('podman');
  return (
    <Popover trigger="click" title={t('pull.title')} content={<PullCommands {...props} tool={tool} onTool={setTool} />}>
      <Button size="small" icon={<CloudDownloadOutlined />} aria-label={t('pull.title')} title={t('pull.title')} />
    </Popover>
  );
}
