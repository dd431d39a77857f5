import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useConfirmAction } from '../confirm-action';

/**
 * Harbor's refresh secret (PATCH /robots/{id} with no secret): asked first, then the new secret is
 * handed to `show`, the only time anyone sees it. The old one stops working, but nothing is lost.
 */
export function useRefreshSecret(show: (robot: { name: string; secret: string }) => void) {
  const { t } = useTranslation('robots');
  const confirm = useConfirmAction();
  return (r: { id: number; name: string }) =>
    confirm({
      title: t('refreshConfirm', { name: r.name }),
      content: t('refreshHelp'),
      okText: t('refreshSecret'),
      danger: false,
      action: () => api.patch<{ secret?: string }>(`/robots/${r.id}`, {}),
      after: (res) => {
        if (res?.secret) show({ name: r.name, secret: res.secret });
      },
    });
}
