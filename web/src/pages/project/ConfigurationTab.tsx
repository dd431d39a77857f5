import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Select, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../components/ErrorAlert';
import { useProject } from './project-context';

// Harbor's boolean project settings (metadata, stored as "true"/"false"). Only `public` changes
// behaviour today; the others are kept for the scanning and signing features they belong to.
const switches = ['public', 'auto_scan', 'prevent_vul', 'enable_content_trust_cosign', 'auto_sbom_generation'] as const;
const severities = ['low', 'medium', 'high', 'critical'] as const;

export default function ConfigurationTab() {
  const { t } = useTranslation(['project', 'common']);
  const { project, can } = useProject();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const editable = can('project', 'update') || can('metadata', 'update');
  const meta = project.metadata ?? {};
  const initial = Object.fromEntries([...switches.map((k) => [k, meta[k] === 'true']), ['severity', meta.severity ?? 'low']]);

  const save = async (v: Record<string, boolean | string>) => {
    setBusy(true);
    try {
      const metadata: Record<string, string> = {};
      for (const k of switches) metadata[k] = v[k] ? 'true' : 'false';
      if (v.prevent_vul) metadata.severity = String(v.severity);
      await api.put(`/projects/${project.project_id}`, { metadata });
      await client.invalidateQueries({ queryKey: ['project', project.project_id] });
      void message.success(t('config.saved'));
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <Form layout="vertical" initialValues={initial} onFinish={save} disabled={!editable} style={{ maxWidth: 640 }}>
        {switches.map((k) => (
          <Form.Item key={k} name={k} valuePropName="checked" label={t(`config.${k}.label`)} extra={t(`config.${k}.help`)}>
            <Switch />
          </Form.Item>
        ))}
        <Form.Item noStyle shouldUpdate={(a, b) => a.prevent_vul !== b.prevent_vul}>
          {({ getFieldValue }) =>
            getFieldValue('prevent_vul') && (
              <Form.Item name="severity" label={t('config.severity')}>
                <Select style={{ width: 200 }} options={severities.map((s) => ({ value: s, label: t(`config.severities.${s}`) }))} />
              </Form.Item>
            )
          }
        </Form.Item>
        {editable ? (
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('common:action.save')}
            </Button>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('config.readOnly')}</Typography.Text>
        )}
      </Form>
    </Card>
  );
}
