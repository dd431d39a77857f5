import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, ColorPicker, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import type { Label } from '../types';
import { useServerPaging } from '../../../components/server-paging';

function LabelModal({ label, open, onClose }: { label: Label | null; open: boolean; onClose(): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const color = typeof v.color === 'string' ? v.color : (v.color?.toHexString?.() ?? '#1677ff');
    setBusy(true);
    try {
      const body = { name: v.name, description: v.description ?? '', color, scope: 'g' };
      if (label) await api.put(`/labels/${label.id}`, body);
      else await api.post('/labels', body);
      void message.success(t(label ? 'labels.saved' : 'labels.createdMsg', { name: v.name }));
      await client.invalidateQueries({ queryKey: ['admin-labels'] });
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={label ? t('labels.editTitle') : t('labels.new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ name: label?.name ?? '', description: label?.description ?? '', color: label?.color || '#1677ff' }}>
        <Form.Item name="name" label={t('labels.name')} rules={[{ required: true, message: t('labels.nameRequired') }, { max: 128 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="color" label={t('labels.color')}>
          <ColorPicker showText aria-label={t('labels.color')} />
        </Form.Item>
        <Form.Item name="description" label={t('labels.description')} rules={[{ max: 1024 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Global labels (scope g): every project's artifacts may carry them. */
export default function LabelsPage() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { modal, message } = App.useApp();
  const client = useQueryClient();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<{ label: Label | null } | null>(null);
  const list = useQuery({
    queryKey: ['admin-labels', { page, pageSize, name }],
    queryFn: () => api.page<Label>('/labels', { scope: 'g', page, page_size: pageSize, name }),
    placeholderData: (prev) => prev,
  });
  const remove = (l: Label) =>
    modal.confirm({
      title: t('labels.deleteConfirm', { name: l.name }),
      okText: t('common:action.delete'),
      okButtonProps: { danger: true },
      cancelText: t('common:action.cancel'),
      onOk: async () => {
        try {
          await api.delete(`/labels/${l.id}`);
          void message.success(t('labels.deleted', { name: l.name }));
          await client.invalidateQueries({ queryKey: ['admin-labels'] });
        } catch (err) {
          void message.error(errorText(err));
        }
      },
    });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('labels.title')}
      </Typography.Title>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ label: null })}>
          {t('labels.new')}
        </Button>
        <Input.Search placeholder={t('labels.search')} aria-label={t('labels.search')} allowClear onSearch={(v) => (setName(v.trim()), paging.first())} style={{ width: 260 }} />
      </Space>
      <ErrorAlert error={list.error} />
      <Table<Label>
        rowKey="id"
        aria-label={t('labels.title')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('labels.empty') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('labels.name'), render: (_: unknown, l) => <Tag color={l.color || undefined}>{l.name}</Tag> },
          { title: t('labels.description'), dataIndex: 'description', ellipsis: true },
          { title: t('labels.created'), render: (_: unknown, l) => formatTime(l.creation_time, language) },
          {
            title: t('common:table.actions'),
            render: (_: unknown, l) => (
              <Space>
                <Button size="small" onClick={() => setEditing({ label: l })} aria-label={t('labels.editOf', { name: l.name })}>
                  {t('common:action.edit')}
                </Button>
                <Button size="small" danger onClick={() => remove(l)} aria-label={t('labels.deleteOf', { name: l.name })}>
                  {t('common:action.delete')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <LabelModal open={editing !== null} label={editing?.label ?? null} onClose={() => setEditing(null)} />
    </Space>
  );
}
