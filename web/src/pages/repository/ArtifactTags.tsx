import { CloseOutlined, LockOutlined } from '@ant-design/icons';
import { Button, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useConfirmAction } from '../../components/confirm-action';
import { artifactApi } from './paths';
import type { Artifact } from './types';

/**
 * An artifact's tags, each with its "immutable" badge (Harbor's Tag.immutable) and, for those who
 * may, a delete button. Immutable tags have none: the API would refuse.
 */
export function ArtifactTags({ project, repository, artifact, mayDelete }: { project: string; repository: string; artifact: Artifact; mayDelete: boolean }) {
  const { t } = useTranslation(['repository', 'common']);
  const confirm = useConfirmAction();
  const tags = artifact.tags ?? [];
  if (tags.length === 0) return <Tag>{t('tag.none')}</Tag>;

  const remove = (name: string) =>
    confirm({
      title: t('tag.deleteConfirm', { name }),
      okText: t('common:action.delete'),
      action: () => api.delete(`${artifactApi(project, repository, artifact.digest)}/tags/${encodeURIComponent(name)}`),
      success: t('tag.deleted', { name }),
      invalidate: [
        ['artifacts', project, repository],
        ['artifact', project, repository],
      ],
    });

  return (
    <Space size={[4, 4]} wrap>
      {tags.map((tag) => (
        <Tag key={tag.id} color={tag.immutable ? 'warning' : 'processing'} style={{ marginInlineEnd: 0 }}>
          <Space size={4}>
            <span>{tag.name}</span>
            {tag.immutable && (
              <span title={t('tag.immutableHint')}>
                <LockOutlined aria-hidden /> {t('tag.immutable')}
              </span>
            )}
            {mayDelete && !tag.immutable && (
              <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('tag.deleteOf', { name: tag.name })} onClick={() => remove(tag.name)} style={{ height: 16, width: 16, minWidth: 16 }} />
            )}
          </Space>
        </Tag>
      ))}
    </Space>
  );
}
