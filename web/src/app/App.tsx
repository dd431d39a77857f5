import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { AppLayout } from '../layout/AppLayout';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';

// Route-level code splitting: the first load carries the shell, sign-in and the project list.
const ProjectsPage = lazy(() => import('../pages/projects/ProjectsPage'));
const ProjectPage = lazy(() => import('../pages/project/ProjectPage'));
const AdminRoutes = lazy(() => import('../pages/admin/AdminRoutes'));

export function Loading() {
  return <Spin style={{ display: 'block', margin: '64px auto' }} />;
}

function RequireSession({ children }: { children: React.ReactNode }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <AppLayout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/projects" replace />} />
        <Route path="projects" element={<Suspense fallback={<Loading />}><ProjectsPage /></Suspense>} />
        <Route path="projects/:projectId/*" element={<Suspense fallback={<Loading />}><ProjectPage /></Suspense>} />
        <Route path="admin/*" element={<Suspense fallback={<Loading />}><AdminRoutes /></Suspense>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
