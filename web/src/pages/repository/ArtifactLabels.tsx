import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Project } from '../../api/types';
import { errorText } from '../../components/ErrorAlert';
import { LabelTag } from '../../components/LabelTag';
import { artifactApi } from './paths';
import type { Artifact, ArtifactLabel } from './types';

/** The labels that may go on this artifact: the global ones and the project's own (first 100 of each). */
function useAvailableLabels(projectId: number, enabled: boolean) {
  return useQuery({
    queryKey: ['labels', 'available', projectId],
    enabled,
    queryFn: async () => {
      const [global, own] = await Promise.all([api.page<ArtifactLabel>('/labels', { scope: 'g', page_size: 100 }), api.page<ArtifactLabel>('/labels', { scope: 'p', project_id: projectId, page_size: 100 })]);
      return [...global.items, ...own.items];
    },
  });
}

/** An artifact's labels, with add and remove for those who may (Harbor's addLabel, removeLabel). */
export function ArtifactLabels({ project, repository, artifact, mayAdd, mayRemove }: { project: Project; repository: string; artifact: Artifact; mayAdd: boolean; mayRemove: boolean }) {
  const { t } = useTranslation(['repository', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [adding, setAdding] = useState(false);
  const available = useAvailableLabels(project.project_id, adding);
  const attached = artifact.labels ?? [];
  const base = artifactApi(project.name, repository, artifact.digest);
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: ['artifact', project.name, repository] });
    await client.invalidateQueries({ queryKey: ['artifacts', project.name, repository] });
  };
  const add = async (id: number) => {
    try {
      await api.post(`${base}/labels`, { id });
      setAdding(false);
      await refresh();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  const remove = async (l: ArtifactLabel) => {
    try {
      await api.delete(`${base}/labels/${l.id}`);
      await refresh();
    } catch (err) {
      void message.error(errorText(err));
    }
  };
  const options = (available.data ?? []).filter((l) => !attached.some((a) => a.id === l.id)).map((l) => ({ value: l.id, label: l.name }));
  return (
    <Space size={[4, 4]} wrap>
      {attached.length === 0 && !mayAdd && <span>-</span>}
      {attached.map((l) => (
        <LabelTag
          key={l.id}
          name={l.name}
          color={l.color}
          closable={mayRemove}
          closeIcon={mayRemove ? <span role="button" aria-label={t('label.removeOf', { name: l.name })}>×</span> : undefined}
          onClose={(e) => {
            e.preventDefault();
            void remove(l);
          }}
        />
      ))}
      {mayAdd &&
        (adding ? (
          <Select
            autoFocus
            defaultOpen
            size="small"
            style={{ minWidth: 180 }}
            aria-label={t('label.choose')}
            placeholder={t('label.choose')}
            loading={available.isPending}
            options={options}
            notFoundContent={t('label.none')}
            onSelect={(v: number) => void add(v)}
            onBlur={() => setAdding(false)}
          />
        ) : (
          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('label.add')}
          </Button>
        ))}
    </Space>
  );
}
