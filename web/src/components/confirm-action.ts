import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './ErrorAlert';

export interface ConfirmAction<T> {
  title: ReactNode;
  content?: ReactNode;
  okText: ReactNode;
  /** A red OK button, as for anything that cannot be undone; off for a harmless action. */
  danger?: boolean;
  action(): Promise<T>;
  /** Said once the action succeeded. */
  success?: string;
  /** The lists the action changed, refreshed before the dialog closes. */
  invalidate?: QueryKey | QueryKey[];
  /** What else the page does with a success: show a returned secret, leave a page that is gone. */
  after?(result: T): unknown;
}

// A query key starts with its name, so a list that starts with a list is several keys.
const keysOf = (k: QueryKey | QueryKey[] | undefined): QueryKey[] => (k === undefined ? [] : Array.isArray(k[0]) ? (k as QueryKey[]) : [k]);

/**
 * Ask, then act: the confirmation dialog whose OK runs the action, says it worked, refreshes the
 * lists it changed (the OK button spins until they are fresh) or shows the API's reason for a
 * refusal and refreshes those lists all the same. Every confirmation in the portal asks and answers this one way.
 */
export function useConfirmAction() {
  const { t } = useTranslation('common');
  const { modal, message } = App.useApp();
  const client = useQueryClient();
  return function confirm<T>(c: ConfirmAction<T>): void {
    modal.confirm({
      title: c.title,
      content: c.content,
      okText: c.okText,
      okButtonProps: { danger: c.danger ?? true },
      cancelText: t('action.cancel'),
      onOk: async () => {
        try {
          const result = await c.action();
          if (c.success) void message.success(c.success);
          for (const queryKey of keysOf(c.invalidate)) await client.invalidateQueries({ queryKey });
          await c.after?.(result);
        } catch (err) {
          void message.error(errorText(err));
          // A refusal often means the page is out of date (a tag made immutable meanwhile, a
          // project that gained a repository): show what is true now, not a button that fails again.
          for (const queryKey of keysOf(c.invalidate)) void client.invalidateQueries({ queryKey });
        }
      },
    });
  };
}
