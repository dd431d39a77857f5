import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, ColorPicker, Form, Input, Space, Table } from 'antd';
import type { Color } from 'antd/es/color-picker';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { usePreferences } from '../app/preferences';
import { useConfirmAction } from './confirm-action';
import { EmptyText } from './EmptyText';
import { ErrorAlert, errorText } from './ErrorAlert';
import { formatTime } from './format';
import { LabelTag } from './LabelTag';
import { useServerPaging } from './server-paging';
import { TableToolbar } from './TableToolbar';
import type { Label } from '../api/server-types';
import { FormModal } from './FormModal';

export type { Label } from '../api/server-types';

/** Harbor's label palette. */
const presets = ['#0065AB', '#343DAC', '#781DA0', '#9B0D54', '#C92100', '#CD3517', '#C25400', '#D28F00', '#006668', '#006690', '#004A70', '#48960C', '#314351', '#000000', '#A5A5A5', '#FFFFFF'];

/** Whose labels: the system's (global, scope g) or one project's (scope p). */
export type LabelScope = { scope: 'g' } | { scope: 'p'; projectId: number };

const scopeQuery = (s: LabelScope) => (s.scope === 'g' ? { scope: 'g' } : { scope: 'p', project_id: s.projectId });
const queryKey = (s: LabelScope) => ['labels', s.scope === 'g' ? 'global' : s.projectId];

function LabelModal({ owner, label, open, onClose }: { owner: LabelScope; label?: Label | undefined; open: boolean; onClose(): void }) {
  const { t } = useTranslation(['labels', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ name: string; description: string; color: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const body = { name: v.name.trim(), description: v.description ?? '', color: v.color ?? '', ...scopeQuery(owner) };
      if (label) await api.put(`/labels/${label.id}`, body);
      else await api.post('/labels', body);
      void message.success(t(label ? 'saved' : 'created', { name: body.name }));
      await client.invalidateQueries({ queryKey: queryKey(owner) });
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={open} title={label ? t('edit') : t('new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" preserve={false} initialValues={label ?? { color: presets[0] }}>
        <Form.Item name="name" label={t('col.name')} rules={[{ required: true, message: t('nameRequired') }, { max: 128 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="color" label={t('col.color')} getValueFromEvent={(c: Color) => c.toHexString().toUpperCase()}>
          <ColorPicker presets={[{ label: t('palette'), colors: presets }]} showText disabledAlpha aria-label={t('col.color')} />
        </Form.Item>
        <Form.Item name="description" label={t('col.description')}>
          <Input.TextArea rows={2} maxLength={1024} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/**
 * A scope's labels: server-paged list with search, create, edit and delete as `can` allows (the
 * API decides anyway). The project tab and the administration page are this with their scope.
 */
export function LabelsManager({ owner, can, emptyText, tableLabel }: { owner: LabelScope; can(action: 'create' | 'update' | 'delete'): boolean; emptyText: string; tableLabel: string }) {
  const { t } = useTranslation(['labels', 'common']);
  const { language } = usePreferences();
  const confirm = useConfirmAction();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<Label | 'new' | null>(null);
  const key = queryKey(owner);
  const list = useQuery({
    queryKey: [...key, { page, pageSize, name }],
    queryFn: () => api.page<Label>('/labels', { ...scopeQuery(owner), page, page_size: pageSize, name }),
    placeholderData: (prev) => prev,
  });
  const remove = (l: Label) =>
    confirm({
      title: t('deleteConfirm', { name: l.name }),
      okText: t('common:action.delete'),
      action: () => api.delete(`/labels/${l.id}`),
      success: t('deleted', { name: l.name }),
      invalidate: key,
    });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <TableToolbar
        create={can('create') && { label: t('new'), onClick: () => setEditing('new') }}
        search={{
          label: t('search'),
          onSearch: (v) => {
            setName(v);
            paging.first();
          },
        }}
      />
      <ErrorAlert error={list.error} />
      <Table<Label>
        aria-label={tableLabel}
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <EmptyText text={name ? t('emptySearch') : emptyText} /> }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('col.name'), render: (_: unknown, l) => <LabelTag name={l.name} color={l.color} /> },
          { title: t('col.description'), dataIndex: 'description' },
          { title: t('col.created'), render: (_: unknown, l) => formatTime(l.creation_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, l) => (
              <Space>
                {can('update') && (
                  <Button size="small" onClick={() => setEditing(l)} aria-label={t('editLabel', { name: l.name })}>
                    {t('common:action.edit')}
                  </Button>
                )}
                {can('delete') && (
                  <Button size="small" danger onClick={() => remove(l)} aria-label={t('deleteLabel', { name: l.name })}>
                    {t('common:action.delete')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <LabelModal owner={owner} key={editing === 'new' ? 'new' : editing?.id} open={editing !== null} label={editing === 'new' ? undefined : (editing ?? undefined)} onClose={() => setEditing(null)} />
      )}
    </Space>
  );
}
