import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, InputNumber, Select, Space, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, request } from '../../api/client';
import { useSession } from '../../auth/session';
import { errorText } from '../../components/ErrorAlert';
import { FormModal } from '../../components/FormModal';
import { quotaUnitOptions, quotaUnits as units } from '../../components/format';

/** Harbor's project name rule (lower case, digits, . _ -, starting with a letter or digit). */
const namePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function CreateProjectModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation(['projects', 'common']);
  const { user } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);

  const submit = async (v: { name: string; public: boolean; limit?: number | null; unit: keyof typeof units }) => {
    setBusy(true);
    try {
      const limit = v.limit === null || v.limit === undefined ? -1 : Math.round(v.limit * units[v.unit]);
      const res = await request('POST', '/projects', { project_name: v.name, metadata: { public: v.public ? 'true' : 'false' }, ...(user?.sysadmin_flag ? { storage_limit: limit } : {}) });
      void message.success(t('created', { name: v.name }));
      await client.invalidateQueries({ queryKey: ['projects'] });
      form.resetFields();
      onClose();
      const id = api.createdId(res.headers.get('Location'));
      if (id) void navigate(`/projects/${id}/repositories`);
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormModal
      open={open}
      title={t('newProject')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      okText={t('common:action.create')}
      cancelText={t('common:action.cancel')}
      destroyOnHidden
    >
      <Form form={form} name="createProject" layout="vertical" initialValues={{ public: false, unit: 'GiB' }} onFinish={(v) => void submit(v)}>
        <Form.Item
          name="name"
          label={t('col.name')}
          rules={[
            { required: true, message: t('nameRequired') },
            { max: 255 },
            { pattern: namePattern, message: t('nameRule') },
          ]}
        >
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="public" label={t('public')} valuePropName="checked" extra={t('publicHelp')}>
          <Switch />
        </Form.Item>
        {user?.sysadmin_flag && (
          <Form.Item label={t('storageLimit')} extra={t('storageLimitHelp')}>
            <Space.Compact>
              <Form.Item name="limit" noStyle>
                <InputNumber min={0} precision={2} aria-label={t('storageLimit')} style={{ width: 160 }} />
              </Form.Item>
              <Form.Item name="unit" noStyle>
                <Select aria-label={t('storageUnit')} style={{ width: 90 }} options={quotaUnitOptions} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}
