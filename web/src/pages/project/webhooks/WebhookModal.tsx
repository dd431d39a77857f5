import { useQueryClient } from '@tanstack/react-query';
import { App, Checkbox, Form, Input, Select, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { errorText } from '../../../components/ErrorAlert';
import { useProject } from '../project-context';
import { type EventTypes, policyBody, type WebhookPolicy } from './types';
import { FormModal } from '../../../components/FormModal';

interface Values {
  name: string;
  description?: string;
  notify_type: string;
  address: string;
  auth_header?: string;
  skip_cert_verify: boolean;
  payload_format?: string;
  event_types: string[];
  enabled: boolean;
}

/** Harbor's webhook policy editor: one target (as Harbor's portal edits it) and its event types. */
export function WebhookModal({ policy, events, open, onClose }: { policy?: WebhookPolicy | undefined; events: EventTypes | undefined; open: boolean; onClose(): void }) {
  const { t } = useTranslation(['webhooks', 'common']);
  const { project } = useProject();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const notifyType = Form.useWatch('notify_type', form);
  const formats = events?.payload_formats.find((f) => f.notify_type === notifyType)?.formats ?? [];
  const target = policy?.targets[0];
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const body = policyBody({
        name: v.name.trim(),
        description: v.description ?? '',
        enabled: v.enabled,
        event_types: v.event_types,
        targets: [
          {
            type: v.notify_type,
            address: v.address.trim(),
            skip_cert_verify: v.skip_cert_verify,
            ...(v.notify_type === 'http' ? { auth_header: v.auth_header ?? '', ...(v.payload_format ? { payload_format: v.payload_format } : {}) } : {}),
          },
        ],
      });
      const base = `/projects/${project.project_id}/webhook/policies`;
      if (policy) await api.put(`${base}/${policy.id}`, body);
      else await api.post(base, body);
      void message.success(t('saved', { name: body.name }));
      await client.invalidateQueries({ queryKey: ['webhooks', project.project_id] });
      onClose();
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormModal open={open} width={680} title={policy ? t('edit') : t('new')} onOk={submit} confirmLoading={busy} onCancel={onClose} okText={t('common:action.save')} cancelText={t('common:action.cancel')} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          name: policy?.name ?? '',
          description: policy?.description ?? '',
          notify_type: target?.type ?? 'http',
          address: target?.address ?? '',
          auth_header: target?.auth_header ?? '',
          skip_cert_verify: target?.skip_cert_verify ?? false,
          payload_format: target?.payload_format ?? 'Default',
          event_types: policy?.event_types ?? events?.event_type ?? [],
          enabled: policy?.enabled ?? true,
        }}
      >
        <Form.Item name="name" label={t('col.name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }, { max: 256 }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="description" label={t('col.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="notify_type" label={t('notifyType')}>
          <Select options={(events?.notify_type ?? ['http']).map((n) => ({ value: n, label: t(`notify.${n}`, { defaultValue: n }) }))} />
        </Form.Item>
        {formats.length > 0 && (
          <Form.Item name="payload_format" label={t('payloadFormat')}>
            <Select options={formats.map((f) => ({ value: f, label: t(`format.${f}`, { defaultValue: f }) }))} />
          </Form.Item>
        )}
        <Form.Item name="event_types" label={t('eventTypes')} rules={[{ required: true, type: 'array', min: 1, message: t('eventsRequired') }]}>
          <Checkbox.Group style={{ display: 'grid', gridTemplateColumns: 'repeat(2, 1fr)', gap: 4 }} options={(events?.event_type ?? []).map((e) => ({ value: e, label: t(`event.${e}`, { defaultValue: e }) }))} />
        </Form.Item>
        <Form.Item name="address" label={t('endpoint')} rules={[{ required: true, whitespace: true, message: t('endpointRequired') }]} extra={t('endpointHelp')}>
          <Input />
        </Form.Item>
        {notifyType === 'http' && (
          <Form.Item name="auth_header" label={t('authHeader')} extra={t('authHeaderHelp')}>
            <Input.Password autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="skip_cert_verify" valuePropName="checked">
          <Checkbox>{t('skipCertVerify')}</Checkbox>
        </Form.Item>
        <Form.Item name="enabled" label={t('enabledField')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
