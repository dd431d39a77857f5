import { App, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { FormModal } from '../components/FormModal';

export function PasswordModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { user, refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  if (!user) return null;
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.put(`/users/${user.user_id}/password`, { old_password: v.old, new_password: v.password });
      void message.success(t('password.changed'));
      form.resetFields();
      onClose();
      // The server ends every session of the user, this one too: finding that out now sends them
      // to sign in with the new password, rather than at their next click.
      await refresh();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <FormModal open={open} title={t('password.title')} onOk={save} onCancel={onClose} okText={t('action.save')} cancelText={t('action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="old" label={t('password.current')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="password" label={t('password.new')} rules={[{ required: true, min: 8 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['password']}
          rules={[{ required: true }, ({ getFieldValue }) => ({ validator: (_, value) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
