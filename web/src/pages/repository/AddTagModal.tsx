import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { artifactApi, shortRef } from './paths';
import type { Artifact } from './types';
import { FormModal } from '../../components/FormModal';

// The OCI distribution spec's tag grammar, so a typo is caught before the round trip.
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Adds a tag to an artifact (Harbor's createTag). */
export function AddTagModal({ project, repository, artifact, onClose }: { project: string; repository: string; artifact: Artifact; onClose(): void }) {
  const { t } = useTranslation(['repository', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ name: string }>();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const submit = async ({ name }: { name: string }) => {
    setSaving(true);
    setError(null);
    try {
      await api.post(`${artifactApi(project, repository, artifact.digest)}/tags`, { name });
      void message.success(t('tag.added', { name }));
      await client.invalidateQueries({ queryKey: ['artifacts', project, repository] });
      await client.invalidateQueries({ queryKey: ['artifact', project, repository] });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <FormModal open title={t('tag.addTo', { artifact: shortRef(artifact) })} okText={t('tag.add')} cancelText={t('common:action.cancel')} confirmLoading={saving} onOk={() => form.submit()} onCancel={onClose}>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item
          name="name"
          label={t('tag.name')}
          rules={[
            { required: true, message: t('tag.nameRequired') },
            { pattern: tagPattern, message: t('tag.nameInvalid') },
          ]}
        >
          <Input autoFocus />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
