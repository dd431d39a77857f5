import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client';
import { usePreferences } from '../../../app/preferences';
import { ErrorAlert, errorText } from '../../../components/ErrorAlert';
import { formatTime } from '../../../components/format';
import type { AuditLog } from '../types';
import { type AuditFilter, auditCsv, auditQuery } from './audit-csv';
import { useServerPaging } from '../../../components/server-paging';

/** What Haven records (a sign-in too, as login on a user), as the filters offer it. */
const operations = ['create', 'delete', 'update', 'pull', 'login'] as const;
const resourceTypes = ['artifact', 'blob', 'configuration', 'immutable_rule', 'project', 'project_member', 'repository', 'robot', 'tag', 'user'] as const;
/** Harbor's largest page: the export walks the pages of the filtered rows. */
const exportPageSize = 100;
const exportLimit = 100_000;

interface FilterForm {
  username?: string;
  operation?: string;
  resourceType?: string;
  resource?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The system audit log: server-paged, filtered with Harbor's q, exported as CSV. */
export default function AuditLogPage() {
  const { t } = useTranslation(['admin', 'common']);
  const { language } = usePreferences();
  const { message } = App.useApp();
  const [form] = Form.useForm<FilterForm>();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [filter, setFilter] = useState<AuditFilter>({});
  const [exporting, setExporting] = useState(false);
  const q = auditQuery(filter);
  const list = useQuery({
    queryKey: ['admin-audit', { page, pageSize, q }],
    queryFn: () => api.page<AuditLog>('/audit-logs', { page, page_size: pageSize, q, sort: '-op_time' }),
    placeholderData: (prev) => prev,
  });

  const apply = (v: FilterForm) => {
    setFilter({
      username: v.username,
      operation: v.operation,
      resourceType: v.resourceType,
      resource: v.resource,
      from: v.range?.[0]?.toISOString(),
      to: v.range?.[1]?.toISOString(),
    });
    paging.first();
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const rows: AuditLog[] = [];
      for (let p = 1; rows.length < exportLimit; p++) {
        const { items, total } = await api.page<AuditLog>('/audit-logs', { page: p, page_size: exportPageSize, q, sort: '-op_time' });
        rows.push(...items);
        if (items.length < exportPageSize || rows.length >= total) break;
      }
      download(`audit-log-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, auditCsv(rows));
      void message.success(t('audit.exported', { count: rows.length }));
    } catch (err) {
      void message.error(errorText(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('audit.title')}
      </Typography.Title>
      <Form form={form} layout="inline" onFinish={apply} aria-label={t('audit.filters')} style={{ rowGap: 8 }}>
        <Form.Item name="username" label={t('audit.username')}>
          <Input allowClear style={{ width: 150 }} />
        </Form.Item>
        <Form.Item name="operation" label={t('audit.operation')}>
          <Select allowClear style={{ width: 120 }} options={operations.map((o) => ({ value: o, label: t(`operation.${o}`) }))} />
        </Form.Item>
        <Form.Item name="resourceType" label={t('audit.resourceType')}>
          <Select allowClear style={{ width: 160 }} options={resourceTypes.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
        <Form.Item name="resource" label={t('audit.resource')}>
          <Input allowClear style={{ width: 170 }} />
        </Form.Item>
        <Form.Item name="range" label={t('audit.time')}>
          <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('audit.apply')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              apply({});
            }}
          >
            {t('audit.reset')}
          </Button>
          <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportCsv()}>
            {t('audit.export')}
          </Button>
        </Space>
      </Form>
      <ErrorAlert error={list.error} />
      <Table<AuditLog>
        rowKey="id"
        size="small"
        aria-label={t('audit.title')}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: q ? t('audit.emptyFilter') : t('audit.empty') }}
        pagination={paging.pagination(list.data?.total ?? 0)}
        columns={[
          { title: t('audit.time'), render: (_: unknown, r) => formatTime(r.op_time, language) },
          { title: t('audit.username'), dataIndex: 'username' },
          { title: t('audit.operation'), render: (_: unknown, r) => ((operations as readonly string[]).includes(r.operation) ? t(`operation.${r.operation}`) : r.operation) },
          { title: t('audit.resourceType'), dataIndex: 'resource_type' },
          { title: t('audit.resource'), dataIndex: 'resource' },
          { title: t('audit.result'), render: (_: unknown, r) => (r.operation_result ? <Tag color="success">{t('audit.success')}</Tag> : <Tag color="error">{t('audit.failure')}</Tag>) },
        ]}
      />
    </Space>
  );
}
