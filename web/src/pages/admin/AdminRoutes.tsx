import { Empty, Result, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { useSession } from '../../auth/session';

// One chunk per page: an admin opening Users does not load the GC page.
const UsersPage = lazy(() => import('./users/UsersPage'));
const CleanUpPage = lazy(() => import('./gc/CleanUpPage'));
const JobServicePage = lazy(() => import('./jobservice/JobServicePage'));
const AuditLogPage = lazy(() => import('./audit/AuditLogPage'));
const ConfigurationPage = lazy(() => import('./config/ConfigurationPage'));
const LabelsPage = lazy(() => import('./labels/LabelsPage'));
const RobotsPage = lazy(() => import('./robots/RobotsPage'));

/** Administration: sysadmins only (the API refuses everyone else anyway). */
export default function AdminRoutes() {
  const { t } = useTranslation(['admin', 'common']);
  const { user } = useSession();
  if (!user?.sysadmin_flag) return <Result status="403" title={t('common:forbidden.title')} subTitle={t('common:forbidden.text')} />;
  const page = (el: React.ReactNode) => <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>{el}</Suspense>;
  return (
    <>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={page(<UsersPage />)} />
        <Route path="gc" element={page(<CleanUpPage />)} />
        <Route path="jobservice" element={page(<JobServicePage />)} />
        <Route path="audit-logs" element={page(<AuditLogPage />)} />
        <Route path="configuration" element={page(<ConfigurationPage />)} />
        <Route path="labels" element={page(<LabelsPage />)} />
        <Route path="robots" element={page(<RobotsPage />)} />
        <Route path="*" element={<Empty description={t('common:notFound.text')} />} />
      </Routes>
    </>
  );
}
