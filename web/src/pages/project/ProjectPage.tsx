import { useQuery } from '@tanstack/react-query';
import { Breadcrumb, Space, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { Loading } from '../../app/App';
import { pageQueries } from '../../app/page-queries';
import { chunks } from '../../app/route-chunks';
import { useProjectPermissions } from '../../auth/permissions';
import { AccessTag } from '../../components/AccessTag';
import { ErrorAlert } from '../../components/ErrorAlert';
import { roleKeys } from '../../components/roles';
import { NotFoundPage } from '../NotFoundPage';
import { ProjectContext } from './project-context';

// One file per tab, each loaded when first opened.
const tabs = [
  { key: 'summary', element: lazy(() => import('./SummaryTab')) },
  { key: 'repositories', element: lazy(chunks.repositories) },
  { key: 'members', element: lazy(() => import('./members/MembersTab')), needs: ['member', 'list'] },
  { key: 'labels', element: lazy(() => import('./labels/LabelsTab')), needs: ['label', 'list'] },
  { key: 'policy', element: lazy(() => import('./policy/PolicyTab')), needs: ['tag-retention', 'read'] },
  { key: 'robots', element: lazy(() => import('./robots/RobotsTab')), needs: ['robot', 'list'] },
  { key: 'webhooks', element: lazy(() => import('./webhooks/WebhooksTab')), needs: ['notification-policy', 'list'] },
  { key: 'logs', element: lazy(() => import('./LogsTab')), needs: ['log', 'list'] },
  { key: 'configuration', element: lazy(() => import('./ConfigurationTab')), needs: ['metadata', 'read'] },
] as const;

const ArtifactsPage = lazy(chunks.artifacts);
const ArtifactDetailPage = lazy(chunks.artifactDetail);

export default function ProjectPage() {
  const { t } = useTranslation(['project', 'common']);
  const { projectId } = useParams();
  const id = Number(projectId);
  const navigate = useNavigate();
  const location = useLocation();
  const project = useQuery({ ...pageQueries.project(id), enabled: Number.isInteger(id) && id > 0 });
  const perms = useProjectPermissions(Number.isInteger(id) ? id : undefined);
  if (!Number.isInteger(id) || id <= 0) return <NotFoundPage />;
  if (project.error) return <ErrorAlert error={project.error} />;
  if (!project.data || perms.loading) return <Loading />;
  const p = project.data;
  const visible = tabs.filter((tab) => !('needs' in tab) || perms.can(tab.needs[0], tab.needs[1]));
  const base = `/projects/${id}`;
  const active = location.pathname.slice(base.length + 1).split('/')[0] || 'repositories';

  return (
    <ProjectContext.Provider value={{ project: p, can: perms.can }}>
      <Space direction="vertical" size="small" style={{ width: '100%' }}>
        <Breadcrumb items={[{ title: <Link to="/projects">{t('common:nav.projects')}</Link> }, { title: p.name }]} />
        <Space align="center">
          <Typography.Title level={2} style={{ margin: 0 }}>
            {p.name}
          </Typography.Title>
          <AccessTag isPublic={p.metadata?.public === 'true'} />
          {p.current_user_role_id > 0 && <Tag color="processing">{t(`common:${roleKeys[p.current_user_role_id] ?? 'role.none'}`)}</Tag>}
        </Space>
        <Tabs activeKey={active} onChange={(k) => navigate(`${base}/${k}`)} items={visible.map((tab) => ({ key: tab.key, label: t(`tab.${tab.key}`) }))} />
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<Navigate to="repositories" replace />} />
            {visible.map((tab) => (
              <Route key={tab.key} path={`${tab.key}/*`} element={<tab.element />} />
            ))}
            <Route path="repositories/:repositoryName/artifacts" element={<ArtifactsPage />} />
            <Route path="repositories/:repositoryName/artifacts/:reference" element={<ArtifactDetailPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </Space>
    </ProjectContext.Provider>
  );
}
