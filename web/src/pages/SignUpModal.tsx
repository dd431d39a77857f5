import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';

/** Self-registration (Harbor's POST /users without a session, when the setting allows it). */
export function SignUpModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.post('/users', { username: v.username, email: v.email, realname: v.realname ?? '', password: v.password, comment: '' });
      void message.success(t('signUp.done'));
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <Modal open={open} title={t('signUp.title')} onOk={submit} onCancel={onClose} okText={t('signUp.submit')} cancelText={t('action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="username" label={t('login.username')} rules={[{ required: true }]}>
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item name="email" label={t('signUp.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="email" />
        </Form.Item>
        <Form.Item name="realname" label={t('signUp.realname')}>
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item name="password" label={t('login.password')} rules={[{ required: true, min: 8 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
