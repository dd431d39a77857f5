import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, login } from '../api/client';
import { usePreferences } from '../app/preferences';
import { useSession } from '../auth/session';
import { languages } from '../i18n';
import { SignUpModal } from './SignUpModal';

/** Only a path on this site: `?next=https://evil.example` must not become an open redirect. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/projects';
}

export function LoginPage() {
  const { t } = useTranslation();
  const { user, refresh, system } = useSession();
  const { language, setLanguage } = usePreferences();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [signUp, setSignUp] = useState(false);
  const next = safeNext(params.get('next'));
  if (user) return <Navigate to={next} replace />;

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username, v.password);
      await refresh();
      void navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('login.invalid') : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', padding: 16 }}>
      <Card style={{ width: 380 }}>
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <div style={{ textAlign: 'center' }}>
            <img src="/favicon.svg" alt="" width={48} height={48} />
            <Typography.Title level={1} style={{ fontSize: 28, margin: '8px 0 0' }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
          {error && <Alert type="error" showIcon message={error} role="alert" />}
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('login.submit')}
            </Button>
          </Form>
          {system?.self_registration && (
            <Button type="link" block onClick={() => setSignUp(true)}>
              {t('login.signUp')}
            </Button>
          )}
          <Select
            aria-label={t('userMenu.language')}
            value={language}
            onChange={setLanguage}
            options={languages.map((l) => ({ value: l.code, label: l.label }))}
            style={{ width: '100%' }}
          />
        </Space>
      </Card>
      <SignUpModal open={signUp} onClose={() => setSignUp(false)} />
    </main>
  );
}
