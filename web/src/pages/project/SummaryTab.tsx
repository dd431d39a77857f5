import { useQuery } from '@tanstack/react-query';
import { Card, Col, Descriptions, Row, Statistic } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes } from '../../components/format';
import { QuotaChart } from '../../components/QuotaChart';
import { useProject } from './project-context';
import type { ProjectSummary as Summary } from '../../api/server-types';


export default function SummaryTab() {
  const { t } = useTranslation(['project', 'common']);
  const { project } = useProject();
  const q = useQuery({ queryKey: ['project', project.project_id, 'summary'], queryFn: () => api.get<Summary>(`/projects/${project.project_id}/summary`) });
  if (q.error) return <ErrorAlert error={q.error} />;
  const s = q.data;
  const quota = s?.quota;
  const members =
    s && s.project_admin_count !== undefined
      ? [
          ['common:role.projectAdmin', s.project_admin_count],
          ['common:role.maintainer', s.maintainer_count ?? 0],
          ['common:role.developer', s.developer_count ?? 0],
          ['common:role.guest', s.guest_count ?? 0],
          ['common:role.limitedGuest', s.limited_guest_count ?? 0],
        ] as const
      : null;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={8}>
        <Card loading={q.isPending}>
          <Statistic title={t('summary.repositories')} value={s?.repo_count ?? 0} />
        </Card>
      </Col>
      <Col xs={24} md={8}>
        <Card loading={q.isPending}>
          <Statistic title={t('summary.artifacts')} value={s?.artifact_count ?? 0} />
        </Card>
      </Col>
      <Col xs={24} md={8}>
        <Card loading={q.isPending}>
          <Statistic title={t('summary.storageUsed')} value={formatBytes(quota?.used.storage ?? 0)} />
        </Card>
      </Col>
      {quota && (
        <Col xs={24} md={12}>
          <Card title={t('summary.quota')}>
            {quota.hard.storage < 0 ? (
              <p>{t('common:quota.usedOfUnlimited', { used: formatBytes(quota.used.storage) })}</p>
            ) : (
              <>
                <QuotaChart used={quota.used.storage} hard={quota.hard.storage} usedLabel={t('summary.used')} freeLabel={t('summary.free')} label={t('common:quota.usedOf', { used: formatBytes(quota.used.storage), hard: formatBytes(quota.hard.storage) })} />
                <p style={{ textAlign: 'center', margin: 0 }}>{t('common:quota.usedOf', { used: formatBytes(quota.used.storage), hard: formatBytes(quota.hard.storage) })}</p>
              </>
            )}
          </Card>
        </Col>
      )}
      {members && (
        <Col xs={24} md={12}>
          <Card title={t('summary.members')}>
            <Descriptions column={1} size="small">
              {members.map(([key, n]) => (
                <Descriptions.Item key={key} label={t(key)}>
                  {n}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
        </Col>
      )}
    </Row>
  );
}
