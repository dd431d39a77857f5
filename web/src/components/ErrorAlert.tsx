import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** What went wrong, in the API's own words (never a stack trace). */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const text = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return <Alert type="error" showIcon role="alert" message={t('error.title')} description={text} style={{ marginBottom: 16 }} />;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
