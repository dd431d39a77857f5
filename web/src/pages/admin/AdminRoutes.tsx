import { Empty, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { useSession } from '../../auth/session';

/** Administration: sysadmins only (the API refuses everyone else anyway). */
export default function AdminRoutes() {
  const { t } = useTranslation();
  const { user } = useSession();
  if (!user?.sysadmin_flag) return <Result status="403" title={t('forbidden.title')} subTitle={t('forbidden.text')} />;
  return (
    <Routes>
      <Route index element={<Navigate to="users" replace />} />
      <Route path="*" element={<Empty description={t('comingSoon')} />} />
    </Routes>
  );
}
