import { useQuery } from '@tanstack/react-query';
import { Modal, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';

/** A job's log as plain text (React escapes it: a log line is never markup). */
export function LogModal({ path, title, onClose }: { path: string | null; title: string; onClose(): void }) {
  const { t } = useTranslation(['admin', 'common']);
  const log = useQuery({ queryKey: ['log', path], queryFn: () => api.text(path ?? ''), enabled: path !== null, staleTime: 0 });
  return (
    <Modal open={path !== null} title={title} onCancel={onClose} footer={null} width={900} destroyOnHidden>
      <ErrorAlert error={log.error} />
      {log.isPending ? (
        <Spin />
      ) : (
        <pre aria-label={t('log.text')} style={{ maxHeight: '60vh', overflow: 'auto', whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>
          {log.data || t('log.empty')}
        </pre>
      )}
    </Modal>
  );
}
