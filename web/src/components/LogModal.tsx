import { useQuery } from '@tanstack/react-query';
import { Modal, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { ErrorAlert } from './ErrorAlert';

/** A job's log as plain text (a task of a retention run or a webhook delivery), read from `path`. */
export function LogModal({ title, path, onClose }: { title: string; path: string | null; onClose(): void }) {
  const { t } = useTranslation(['jobstatus', 'common']);
  const log = useQuery({ queryKey: ['log', path], queryFn: () => api.text(path ?? ''), enabled: path !== null, staleTime: 0 });
  return (
    <Modal open={path !== null} title={title} width={900} onCancel={onClose} footer={null} destroyOnHidden>
      <ErrorAlert error={log.error} />
      {log.isPending && path !== null ? (
        <Spin />
      ) : (
        <pre aria-label={t('logText')} style={{ maxHeight: '60vh', overflow: 'auto', whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>
          {log.data || t('emptyLog')}
        </pre>
      )}
    </Modal>
  );
}
