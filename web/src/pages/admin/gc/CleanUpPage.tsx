import { Checkbox, Form, InputNumber, Space, Tabs, Typography } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../components/format';
import { useSavedParameters } from './ScheduleEditor';
import { SystemJobPanel } from './SystemJobPanel';

/** The audit operations Haven records, which a purge may include. */
const operations = ['create', 'delete', 'update', 'pull'] as const;

function GcTab() {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<{ delete_untagged: boolean; workers: number }>();
  useSavedParameters(
    '/system/gc',
    useCallback((p: Record<string, unknown>) => form.setFieldsValue({ delete_untagged: p.delete_untagged === true, ...(typeof p.workers === 'number' ? { workers: p.workers } : {}) }), [form]),
  );
  return (
    <SystemJobPanel
      prefix="/system/gc"
      kind="gc"
      options={
        <Form form={form} layout="inline" initialValues={{ delete_untagged: false, workers: 1 }}>
          <Form.Item name="delete_untagged" valuePropName="checked">
            <Checkbox>{t('gc.deleteUntagged')}</Checkbox>
          </Form.Item>
          <Form.Item name="workers" label={t('gc.workers')} rules={[{ required: true, type: 'integer', min: 1, max: 10, message: t('gc.workersRule') }]}>
            <InputNumber min={1} max={10} precision={0} />
          </Form.Item>
        </Form>
      }
      parameters={() => {
        const v = form.getFieldsValue();
        const workers = Number(v.workers);
        if (!Number.isInteger(workers) || workers < 1 || workers > 10) {
          void form.validateFields();
          return null;
        }
        return { delete_untagged: v.delete_untagged === true, workers };
      }}
      result={(p) =>
        p.freed_space === undefined
          ? '-'
          : t(p.dry_run === true ? 'gc.wouldFree' : 'gc.freed', { size: formatBytes(Number(p.freed_space)), blobs: Number(p.purged_blobs ?? 0), manifests: Number(p.purged_manifests ?? 0) })
      }
    />
  );
}

function PurgeTab() {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<{ hours: number; include: string[] }>();
  useSavedParameters(
    '/system/purgeaudit',
    useCallback(
      (p: Record<string, unknown>) =>
        form.setFieldsValue({
          ...(typeof p.audit_retention_hour === 'number' ? { hours: p.audit_retention_hour } : {}),
          ...(typeof p.include_event_types === 'string' ? { include: p.include_event_types.split(',').filter((o) => (operations as readonly string[]).includes(o)) } : {}),
        }),
      [form],
    ),
  );
  return (
    <SystemJobPanel
      prefix="/system/purgeaudit"
      kind="purge"
      options={
        <Form form={form} layout="vertical" initialValues={{ hours: 720, include: ['create', 'delete', 'pull'] }}>
          <Form.Item name="hours" label={t('purge.retention')} extra={t('purge.retentionHelp')} rules={[{ required: true, type: 'integer', min: 0, max: 240000, message: t('purge.retentionRule') }]}>
            <InputNumber min={0} max={240000} precision={0} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="include" label={t('purge.include')} rules={[{ required: true, type: 'array', min: 1, message: t('purge.includeRule') }]}>
            <Checkbox.Group options={operations.map((o) => ({ value: o, label: t(`operation.${o}`) }))} />
          </Form.Item>
        </Form>
      }
      parameters={() => {
        const v = form.getFieldsValue();
        const hours = Number(v.hours);
        if (!Number.isInteger(hours) || hours < 0 || !v.include?.length) {
          void form.validateFields();
          return null;
        }
        return { audit_retention_hour: hours, include_event_types: v.include.join(',') };
      }}
      result={(p) => (p.purged === undefined ? '-' : t(p.dry_run === true ? 'purge.wouldPurge' : 'purge.purged', { count: Number(p.purged) }))}
    />
  );
}

/** Harbor's "Clean up": garbage collection and audit log purge. */
export default function CleanUpPage() {
  const { t } = useTranslation('admin');
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('cleanUp.title')}
      </Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'gc', label: t('cleanUp.gc'), children: <GcTab /> },
          { key: 'purge', label: t('cleanUp.purge'), children: <PurgeTab /> },
        ]}
      />
    </Space>
  );
}
