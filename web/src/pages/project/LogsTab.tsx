import { useQuery } from '@tanstack/react-query';
import { Input, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { usePreferences } from '../../app/preferences';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatTime } from '../../components/format';
import { useProject } from './project-context';
import { useServerPaging } from '../../components/server-paging';
import type { AuditLog } from '../../api/server-types';


/** Harbor's q syntax: fuzzy (`=~`) for text, exact for the operation. Commas and braces are its syntax, so they are dropped from what the user typed. */
function auditQuery(field: string, text: string): string | undefined {
  const v = text.replace(/[,{}[\]~=]/g, '').trim();
  if (!v) return undefined;
  return field === 'operation' ? `operation=${v}` : `${field}=~${v}`;
}

export default function LogsTab() {
  const { t } = useTranslation(['project', 'common']);
  const { language } = usePreferences();
  const { project } = useProject();
  const paging = useServerPaging();
  const { page, pageSize } = paging;
  const [field, setField] = useState('username');
  const [text, setText] = useState('');
  const q = auditQuery(field, text);
  const logs = useQuery({
    queryKey: ['project', project.project_id, 'logs', { page, pageSize, q }],
    queryFn: () => api.page<AuditLog>(`/projects/${encodeURIComponent(project.name)}/logs`, { page, page_size: pageSize, q, sort: '-op_time' }),
    placeholderData: (prev) => prev,
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space.Compact>
        <Select
          aria-label={t('logs.filterField')}
          value={field}
          onChange={setField}
          style={{ width: 160 }}
          options={['username', 'resource', 'resource_type', 'operation'].map((f) => ({ value: f, label: t(`logs.col.${f}`) }))}
        />
        <Input.Search
          aria-label={t('logs.filter')}
          placeholder={t('logs.filter')}
          allowClear
          onSearch={(v) => {
            setText(v);
            paging.first();
          }}
          style={{ width: 260 }}
        />
      </Space.Compact>
      <ErrorAlert error={logs.error} />
      <Table<AuditLog>
        rowKey="id"
        size="small"
        loading={logs.isFetching}
        dataSource={logs.data?.items ?? []}
        locale={{ emptyText: t('logs.empty') }}
        pagination={paging.pagination(logs.data?.total ?? 0)}
        columns={[
          { title: t('logs.col.username'), dataIndex: 'username' },
          { title: t('logs.col.resource'), dataIndex: 'resource' },
          { title: t('logs.col.resource_type'), dataIndex: 'resource_type' },
          { title: t('logs.col.operation'), dataIndex: 'operation' },
          { title: t('logs.col.result'), render: (_: unknown, l) => (l.operation_result === false ? t('logs.failed') : t('logs.succeeded')) },
          { title: t('logs.col.time'), render: (_: unknown, l) => formatTime(l.op_time, language) },
        ]}
      />
    </Space>
  );
}
