import { App, Form, Input } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { FormModal } from '../components/FormModal';

/** Harbor's user profile: email, full name and comment (PUT /users/{id}). */
export function ProfileModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { user, refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  useEffect(() => {
    if (open && user) form.setFieldsValue({ email: user.email, realname: user.realname, comment: user.comment });
  }, [open, user, form]);
  if (!user) return null;
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await api.put(`/users/${user.user_id}`, { email: v.email, realname: v.realname, comment: v.comment ?? '' });
      await refresh();
      void message.success(t('profile.saved'));
      onClose();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <FormModal open={open} title={t('profile.title')} onOk={save} onCancel={onClose} okText={t('action.save')} cancelText={t('action.cancel')}>
      <Form form={form} layout="vertical">
        {/* Not a form field (a user cannot rename themselves), so its label is tied to it by id. */}
        <Form.Item label={t('login.username')} htmlFor="profile-username">
          <Input id="profile-username" value={user.username} disabled />
        </Form.Item>
        <Form.Item name="email" label={t('signUp.email')} rules={[{ required: true, type: 'email' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="realname" label={t('signUp.realname')}>
          <Input />
        </Form.Item>
        <Form.Item name="comment" label={t('profile.comment')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
