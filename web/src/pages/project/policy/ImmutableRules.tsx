import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { useConfirmAction } from '../../../components/confirm-action';
import { EmptyText } from '../../../components/EmptyText';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { TableToolbar } from '../../../components/TableToolbar';
import { useProject } from '../project-context';
import { doublestar, type Rule } from './selectors';
import { FormModal } from '../../../components/FormModal';

interface Values {
  repoDecoration: string;
  repoPattern: string;
  tagDecoration: string;
  tagPattern: string;
}

function ImmutableRuleModal({ rule, open, onClose }: { rule?: Rule | undefined; open: boolean; onClose(): void }) {
  const { t } = useTranslation(['policy', 'common']);
  const { project } = useProject();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const repo = rule?.scope_selectors.repository?.[0];
  const tag = rule?.tag_selectors[0];
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const body = {
        ...(rule ? { id: rule.id, priority: rule.priority } : {}),
        disabled: rule?.disabled ?? false,
        action: 'immutable',
        template: 'immutable_template',
        tag_selectors: [doublestar(v.tagDecoration, v.tagPattern.trim())],
        scope_selectors: { repository: [doublestar(v.repoDecoration, v.repoPattern.trim())] },
      };
      const base = `/projects/${project.project_id}/immutabletagrules`;
      if (rule) await api.put(`${base}/${rule.id}`, body);
      else await api.post(base, body);
      void message.success(t('immutable.saved'));
      await client.invalidateQueries({ queryKey: ['immutable', project.project_id] });
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={open} title={rule ? t('immutable.edit') : t('immutable.add')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ repoDecoration: repo?.decoration ?? 'repoMatches', repoPattern: repo?.pattern ?? '**', tagDecoration: tag?.decoration ?? 'matches', tagPattern: tag?.pattern ?? '**' }}
      >
        <RepoAndTagFields />
      </Form>
    </FormModal>
  );
}

/** The repository and tag selector fields, shared by both kinds of rule. */
export function RepoAndTagFields() {
  const { t } = useTranslation(['policy', 'common']);
  return (
    <>
      <Form.Item label={t('sel.repositories')} extra={t('sel.patternHelp')} required>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="repoDecoration" noStyle>
            <Select aria-label={t('sel.repoDecoration')} style={{ width: 160 }} options={['repoMatches', 'repoExcludes'].map((d) => ({ value: d, label: t(`sel.${d}`) }))} />
          </Form.Item>
          <Form.Item name="repoPattern" noStyle rules={[{ required: true, whitespace: true, message: t('sel.patternRequired') }]}>
            <Input aria-label={t('sel.repoPattern')} />
          </Form.Item>
        </Space.Compact>
      </Form.Item>
      <Form.Item label={t('sel.tags')} extra={t('sel.patternHelp')} required>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="tagDecoration" noStyle>
            <Select aria-label={t('sel.tagDecoration')} style={{ width: 160 }} options={['matches', 'excludes'].map((d) => ({ value: d, label: t(`sel.${d}`) }))} />
          </Form.Item>
          <Form.Item name="tagPattern" noStyle rules={[{ required: true, whitespace: true, message: t('sel.patternRequired') }]}>
            <Input aria-label={t('sel.tagPattern')} />
          </Form.Item>
        </Space.Compact>
      </Form.Item>
    </>
  );
}

export function ImmutableRules() {
  const { t } = useTranslation(['policy', 'common']);
  const { project, can } = useProject();
  const { message } = App.useApp();
  const confirm = useConfirmAction();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const key = ['immutable', project.project_id];
  const list = useQuery({
    queryKey: [...key, page],
    queryFn: () => api.page<Rule>(`/projects/${project.project_id}/immutabletagrules`, { page, page_size: 15 }),
    placeholderData: (prev) => prev,
  });
  const base = `/projects/${project.project_id}/immutabletagrules`;
  const toggle = async (r: Rule) => {
    try {
      await api.put(`${base}/${r.id}`, { ...r, disabled: !r.disabled });
    } catch (err) {
      void message.error(errorText(err));
    }
    await client.invalidateQueries({ queryKey: key });
  };
  const remove = (r: Rule) =>
    confirm({ title: t('immutable.deleteConfirm'), okText: t('common:action.delete'), action: () => api.delete(`${base}/${r.id}`), invalidate: key });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <span>{t('immutable.help')}</span>
      <TableToolbar create={can('immutable-tag', 'create') && { label: t('immutable.add'), onClick: () => setEditing('new') }} />
      <ErrorAlert error={list.error} />
      <Table<Rule>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={t('immutable.empty')} /> }}
        pagination={{ current: page, pageSize: 15, total: list.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          { title: t('sel.repositories'), render: (_: unknown, r) => <RuleSelector kind="repo" rule={r} /> },
          { title: t('sel.tags'), render: (_: unknown, r) => <RuleSelector kind="tag" rule={r} /> },
          { title: t('col.status'), render: (_: unknown, r) => (r.disabled ? <Tag>{t('disabled')}</Tag> : <Tag color="success">{t('enabled')}</Tag>) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, r) => (
              <Space>
                {can('immutable-tag', 'update') && (
                  <>
                    <Button size="small" onClick={() => setEditing(r)}>
                      {t('common:action.edit')}
                    </Button>
                    <Button size="small" onClick={() => void toggle(r)}>
                      {r.disabled ? t('enable') : t('disable')}
                    </Button>
                  </>
                )}
                {can('immutable-tag', 'delete') && (
                  <Button size="small" danger onClick={() => remove(r)}>
                    {t('common:action.delete')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <ImmutableRuleModal key={editing === 'new' ? 'new' : editing?.id} open={editing !== null} rule={editing === 'new' ? undefined : (editing ?? undefined)} onClose={() => setEditing(null)} />
      )}
    </Space>
  );
}

/** "matching **" / "excluding nginx" for one side of a rule. */
export function RuleSelector({ kind, rule }: { kind: 'repo' | 'tag'; rule: Rule }) {
  const { t } = useTranslation(['policy', 'common']);
  const s = kind === 'repo' ? rule.scope_selectors.repository?.[0] : rule.tag_selectors[0];
  if (!s) return <span>{t('sel.any')}</span>;
  return (
    <span>
      {t(`sel.${s.decoration}`, { defaultValue: s.decoration })} <code>{s.pattern}</code>
    </span>
  );
}
