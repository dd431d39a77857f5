import { AppstoreOutlined, AuditOutlined, ClearOutlined, ClusterOutlined, RobotOutlined, SettingOutlined, TagsOutlined, TeamOutlined } from '@ant-design/icons';
import { Alert, Layout, Menu, Typography, theme } from 'antd';
import type { ItemType } from 'antd/es/menu/interface';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { UserMenu } from './UserMenu';

/** The frame every signed-in page shares: the navigation on the left, the user menu on top. */
export function AppLayout() {
  const { t } = useTranslation();
  const { user, system } = useSession();
  const { token } = theme.useToken();
  const location = useLocation();
  const items: ItemType[] = [{ key: '/projects', icon: <AppstoreOutlined />, label: <Link to="/projects">{t('nav.projects')}</Link> }];
  if (user?.sysadmin_flag) {
    items.push({
      key: 'admin',
      type: 'group',
      label: t('nav.administration'),
      children: [
        { key: '/admin/users', icon: <TeamOutlined />, label: <Link to="/admin/users">{t('nav.users')}</Link> },
        { key: '/admin/robots', icon: <RobotOutlined />, label: <Link to="/admin/robots">{t('nav.robots')}</Link> },
        { key: '/admin/labels', icon: <TagsOutlined />, label: <Link to="/admin/labels">{t('nav.labels')}</Link> },
        { key: '/admin/gc', icon: <ClearOutlined />, label: <Link to="/admin/gc">{t('nav.cleanUp')}</Link> },
        { key: '/admin/jobservice', icon: <ClusterOutlined />, label: <Link to="/admin/jobservice">{t('nav.jobService')}</Link> },
        { key: '/admin/audit-logs', icon: <AuditOutlined />, label: <Link to="/admin/audit-logs">{t('nav.auditLogs')}</Link> },
        { key: '/admin/configuration', icon: <SettingOutlined />, label: <Link to="/admin/configuration">{t('nav.configuration')}</Link> },
      ],
    });
  }
  const selected = ['/projects', '/admin/users', '/admin/robots', '/admin/labels', '/admin/gc', '/admin/jobservice', '/admin/audit-logs', '/admin/configuration'].filter((k) => location.pathname.startsWith(k));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} width={220} theme="light" style={{ borderRight: `1px solid ${token.colorBorderSecondary}` }}>
        <Link to="/projects" style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '16px 20px' }}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <Typography.Text strong style={{ fontSize: 18 }}>
            {t('app.name')}
          </Typography.Text>
        </Link>
        <nav aria-label={t('nav.main')}>
          <Menu mode="inline" selectedKeys={selected} items={items} style={{ borderInlineEnd: 0 }} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ display: 'flex', justifyContent: 'flex-end', alignItems: 'center', background: token.colorBgContainer, borderBottom: `1px solid ${token.colorBorderSecondary}`, paddingInline: 24 }}>
          <UserMenu />
        </Layout.Header>
        {/* Ant Design's Content is the page's <main> landmark. */}
        <Layout.Content style={{ padding: 24 }}>
          {system?.read_only && <Alert type="warning" showIcon role="status" message={t('readOnlyBanner.title')} description={t('readOnlyBanner.text')} style={{ marginBottom: 16 }} />}
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
