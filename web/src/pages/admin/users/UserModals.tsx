import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import type { User } from '../../../api/types';
import { errorText } from '../../../components/ErrorAlert';
import { FormModal } from '../../../components/FormModal';

const passwordRules = (t: (k: string) => string) => [
  { required: true, message: t('users.passwordRequired') },
  // Harbor's rule: 8 to 128 characters with an upper-case letter, a lower-case letter and a digit.
  { pattern: /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,128}$/, message: t('users.passwordRule') },
];

/** A new local user, as a sysadmin creates one (Harbor's UserCreationReq). */
export function CreateUserModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post('/users', { username: v.username, email: v.email, realname: v.realname, password: v.password, comment: v.comment ?? '' });
      void message.success(t('users.createdMsg', { name: v.username }));
      await client.invalidateQueries({ queryKey: ['admin-users'] });
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={open} title={t('users.new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.create')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="username" label={t('users.username')} rules={[{ required: true, message: t('users.usernameRequired') }, { max: 255 }]}>
          <Input autoFocus autoComplete="off" />
        </Form.Item>
        <Form.Item name="email" label={t('users.email')} rules={[{ required: true, type: 'email', message: t('users.emailRule') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="realname" label={t('users.realname')} rules={[{ required: true, message: t('users.realnameRequired') }, { max: 255 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('users.password')} rules={passwordRules(t)} extra={t('users.passwordRule')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('users.confirmPassword')}
          dependencies={['password']}
          rules={[{ required: true, message: t('users.passwordRequired') }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('users.mismatch')))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="comment" label={t('users.comment')} rules={[{ max: 1024 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** A sysadmin sets a new password for someone (no old password needed). */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose(): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !user) return;
    setBusy(true);
    try {
      await api.put(`/users/${user.user_id}/password`, { new_password: v.password });
      void message.success(t('users.passwordReset', { name: user.username }));
      form.resetFields();
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={user !== null} title={t('users.resetTitle', { name: user?.username })} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="password" label={t('users.newPassword')} rules={passwordRules(t)} extra={t('users.passwordRule')}>
          <Input.Password autoFocus autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('users.confirmPassword')}
          dependencies={['password']}
          rules={[{ required: true, message: t('users.passwordRequired') }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('users.mismatch')))) })]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
