import { Alert, App, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorText } from '../components/ErrorAlert';
import { FormModal } from '../components/FormModal';

/** Self-registration (Harbor's POST /users without a session, when the setting allows it). */
export function SignUpModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setError(null);
    try {
      await api.post('/users', { username: v.username, email: v.email, realname: v.realname ?? '', password: v.password, comment: '' });
      void message.success(t('signUp.done'));
      form.resetFields();
      close();
    } catch (err) {
      // Beside the form it is about, and until the next try: a toast would be gone while the
      // user looks for the field to change.
      setError(errorText(err));
    }
  };
  return (
    <FormModal open={open} title={t('signUp.title')} onOk={submit} onCancel={close} okText={t('signUp.submit')} cancelText={t('action.cancel')} destroyOnHidden>
      {error && <Alert type="error" showIcon role="alert" message={error} style={{ marginBottom: 16 }} />}
      {/* Named: the sign-in form behind it has fields called username and password too, and ids must differ for the labels to find their fields. */}
      <Form form={form} name="signUp" layout="vertical">
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
        <Form.Item
          name="confirm"
          label={t('signUp.confirm')}
          dependencies={['password']}
          rules={[{ required: true }, ({ getFieldValue }) => ({ validator: (_, value) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
