import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../components/ErrorAlert';
import { nameInProject, repositoryApi } from './paths';
import type { Repository } from './types';
import { FormModal } from '../../components/FormModal';

/** Edits a repository's markdown description (Harbor's PUT repository). */
export function DescriptionModal({ project, repository, onClose }: { project: string; repository: Repository; onClose(): void }) {
  const { t } = useTranslation(['repository', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [text, setText] = useState(repository.description);
  const [saving, setSaving] = useState(false);
  const save = async () => {
    setSaving(true);
    try {
      await api.put(repositoryApi(project, nameInProject(project, repository.name)), { description: text });
      void message.success(t('repo.descriptionSaved'));
      await client.invalidateQueries({ queryKey: ['repositories', project] });
      await client.invalidateQueries({ queryKey: ['repository', project] });
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <FormModal open title={t('repo.editDescriptionOf', { name: repository.name })} okText={t('common:action.save')} cancelText={t('common:action.cancel')} confirmLoading={saving} onOk={() => void save()} onCancel={onClose}>
      <Form layout="vertical">
        <Form.Item label={t('repo.description')} htmlFor="repository-description" extra={t('repo.markdownHint')}>
          <Input.TextArea id="repository-description" rows={10} value={text} onChange={(e) => setText(e.target.value)} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
