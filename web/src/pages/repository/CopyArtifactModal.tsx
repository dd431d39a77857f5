import { useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useProjectSearch } from '../../components/project-search';
import { repositoryApi, shortRef } from './paths';
import type { Artifact } from './types';
import { FormModal } from '../../components/FormModal';

interface Values {
  project: string;
  repository: string;
  source: string;
}

/**
 * Copies (retags) an artifact into another repository, Harbor's CopyArtifact (`POST
 * .../artifacts?from=project/repo@digest`, or `:tag` to bring that tag along).
 */
export function CopyArtifactModal({ project, repository, artifact, onClose }: { project: string; repository: string; artifact: Artifact; onClose(): void }) {
  const { t } = useTranslation(['repository', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const tags = artifact.tags ?? [];
  const [typed, setTyped] = useState('');
  // The target project is picked from the projects the user sees (Harbor's fuzzy name match, on
  // the server) rather than typed blind; the API still decides whether the user may push there.
  const projects = useProjectSearch(typed);
  const submit = async (v: Values) => {
    setSaving(true);
    setError(null);
    const from = v.source === '@' ? `${project}/${repository}@${artifact.digest}` : `${project}/${repository}:${v.source}`;
    try {
      await api.post(`${repositoryApi(v.project.trim(), v.repository.trim())}/artifacts`, undefined, { from });
      void message.success(t('copy.done', { target: `${v.project.trim()}/${v.repository.trim()}` }));
      await client.invalidateQueries({ queryKey: ['artifacts'] });
      await client.invalidateQueries({ queryKey: ['repositories'] });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <FormModal open title={t('copy.title', { artifact: shortRef(artifact) })} okText={t('copy.submit')} cancelText={t('common:action.cancel')} confirmLoading={saving} onOk={() => form.submit()} onCancel={onClose}>
      <ErrorAlert error={error} />
      <Form<Values> form={form} layout="vertical" initialValues={{ project, repository: '', source: tags[0]?.name ?? '@' }} onFinish={(v) => void submit(v)}>
        <Form.Item name="project" label={t('copy.project')} rules={[{ required: true, message: t('copy.projectRequired') }]}>
          <AutoComplete options={(projects.data ?? []).map((p) => ({ value: p.name }))} onSearch={(v) => setTyped(v.trim())} />
        </Form.Item>
        <Form.Item name="repository" label={t('copy.repository')} rules={[{ required: true, message: t('copy.repositoryRequired') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="source" label={t('copy.source')} extra={t('copy.sourceHint')}>
          <Select options={[...tags.map((tag) => ({ value: tag.name, label: t('copy.withTag', { tag: tag.name }) })), { value: '@', label: t('copy.byDigest') }]} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
