import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, InputNumber, Radio, Select, Space, Spin, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import type { Configurations } from '../types';
import { quotaUnitOptions, quotaUnits as units } from '../../../components/format';

type Unit = keyof typeof units;

interface Values {
  self_registration: boolean;
  project_creation_restriction: 'everyone' | 'adminonly';
  read_only: boolean;
  token_expiration: number;
  unlimited: boolean;
  quota: number | null;
  unit: Unit;
}

/** A byte count in the largest unit that divides it (2 GiB, not 2048 MiB). */
function splitBytes(n: number): { quota: number; unit: Unit } {
  for (const u of ['TiB', 'GiB', 'MiB'] as const) if (n >= units[u] && n % units[u] === 0) return { quota: n / units[u], unit: u };
  return { quota: Math.round((n / units.MiB) * 100) / 100, unit: 'MiB' };
}

function valuesOf(c: Configurations): Values {
  const limit = c.storage_per_project.value;
  return {
    self_registration: c.self_registration.value,
    project_creation_restriction: c.project_creation_restriction.value,
    read_only: c.read_only.value,
    token_expiration: c.token_expiration.value,
    unlimited: limit < 0,
    ...(limit < 0 ? { quota: null, unit: 'GiB' as Unit } : splitBytes(limit)),
  };
}

/**
 * The system settings Haven has (Harbor's /configurations): authentication, security, system.
 * What the server does not let change here (auth mode, robot prefix) is shown, not offered.
 */
export default function ConfigurationPage() {
  const { t } = useTranslation(['admin', 'common']);
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const config = useQuery({ queryKey: ['configurations'], queryFn: () => api.get<Configurations>('/configurations') });
  const unlimited = Form.useWatch('unlimited', form);
  useEffect(() => {
    if (config.data) form.setFieldsValue(valuesOf(config.data));
  }, [config.data, form]);

  const save = async (v: Values) => {
    const c = config.data;
    if (!c) return;
    const limit = v.unlimited ? -1 : Math.round((v.quota ?? 0) * units[v.unit]);
    const wanted: Record<string, unknown> = {
      self_registration: v.self_registration,
      project_creation_restriction: v.project_creation_restriction,
      read_only: v.read_only,
      token_expiration: v.token_expiration,
      storage_per_project: limit,
    };
    // Only what changed, and only what the server says may change.
    const changes = Object.fromEntries(Object.entries(wanted).filter(([k, val]) => c[k as keyof Configurations].editable && c[k as keyof Configurations].value !== val));
    if (Object.keys(changes).length === 0) {
      void message.info(t('config.unchanged'));
      return;
    }
    setBusy(true);
    try {
      await api.put('/configurations', changes);
      void message.success(t('config.saved'));
      await Promise.all([client.invalidateQueries({ queryKey: ['configurations'] }), client.invalidateQueries({ queryKey: ['systeminfo'] })]);
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (config.isPending) return <Spin />;
  const c = config.data;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 760 }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('config.title')}
      </Typography.Title>
      <ErrorAlert error={config.error} />
      {c && (
        <Form form={form} layout="vertical" onFinish={(v) => void save(v)} initialValues={valuesOf(c)}>
          <Card title={t('config.authentication')} size="small" style={{ marginBottom: 16 }}>
            <Form.Item label={t('config.authMode')}>
              <Typography.Text>{c.auth_mode.value === 'db_auth' ? t('config.database') : c.auth_mode.value}</Typography.Text>
            </Form.Item>
            <Form.Item name="self_registration" label={t('config.selfRegistration')} valuePropName="checked" extra={t('config.selfRegistrationHelp')}>
              <Switch disabled={!c.self_registration.editable} />
            </Form.Item>
            <Form.Item name="project_creation_restriction" label={t('config.projectCreation')} extra={t('config.projectCreationHelp')}>
              <Select
                disabled={!c.project_creation_restriction.editable}
                style={{ width: 220 }}
                options={[
                  { value: 'everyone', label: t('config.everyone') },
                  { value: 'adminonly', label: t('config.adminOnly') },
                ]}
              />
            </Form.Item>
          </Card>
          <Card title={t('config.security')} size="small" style={{ marginBottom: 16 }}>
            <Form.Item name="token_expiration" label={t('config.tokenExpiration')} extra={t('config.tokenExpirationHelp')} rules={[{ required: true, message: t('config.tokenExpirationRequired') }]}>
              <InputNumber min={1} max={525_600} precision={0} disabled={!c.token_expiration.editable} addonAfter={t('config.minutesUnit')} style={{ width: 200 }} />
            </Form.Item>
            <Form.Item label={t('config.robotPrefix')} extra={t('config.fixedHelp')}>
              <Typography.Text code>{c.robot_name_prefix.value}</Typography.Text>
            </Form.Item>
          </Card>
          <Card title={t('config.system')} size="small" style={{ marginBottom: 16 }}>
            <Form.Item name="read_only" label={t('config.readOnly')} valuePropName="checked" extra={t('config.readOnlyHelp')}>
              <Switch disabled={!c.read_only.editable} />
            </Form.Item>
            <Form.Item label={t('config.defaultQuota')} extra={t('config.defaultQuotaHelp')}>
              <Space wrap>
                <Form.Item name="unlimited" noStyle>
                  <Radio.Group
                    disabled={!c.storage_per_project.editable}
                    options={[
                      { value: true, label: t('config.unlimited') },
                      { value: false, label: t('config.limited') },
                    ]}
                  />
                </Form.Item>
                {unlimited === false && (
                  <Space.Compact>
                    <Form.Item name="quota" noStyle rules={[{ required: true, message: t('config.quotaRequired') }]}>
                      <InputNumber min={0} precision={2} aria-label={t('config.defaultQuota')} style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item name="unit" noStyle>
                      <Select aria-label={t('config.unit')} style={{ width: 90 }} options={quotaUnitOptions} />
                    </Form.Item>
                  </Space.Compact>
                )}
              </Space>
            </Form.Item>
          </Card>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('common:action.save')}
            </Button>
            <Button onClick={() => form.setFieldsValue(valuesOf(c))}>{t('config.undo')}</Button>
          </Space>
        </Form>
      )}
    </Space>
  );
}
