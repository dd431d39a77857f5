import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { AppLayout } from '../layout/AppLayout';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { chunks } from './route-chunks';

// Route-level code splitting: the first load carries the shell and sign-in; route-prefetch.ts
// starts the opened page's chunk beside the session check.
const ProjectsPage = lazy(chunks.projects);
const ProjectPage = lazy(chunks.project);
const AdminRoutes = lazy(chunks.admin);

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
