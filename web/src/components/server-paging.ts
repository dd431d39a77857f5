import type { TablePaginationConfig } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Where every table starts: what the route prefetch asks for before a page renders. */
export const firstPage = { page: 1, pageSize: 15 };

/**
 * A table's page on the server: the page and size to ask the API for, and the pagination that
 * drives them from the total (X-Total-Count). Every list in the portal pages this way.
 */
export function useServerPaging(initialSize = firstPage.pageSize) {
  const { t } = useTranslation();
  const [page, setPage] = useState(firstPage.page);
  const [pageSize, setPageSize] = useState(initialSize);
  return {
    page,
    pageSize,
    /** Back to the first page, for a new search or filter. */
    first: () => setPage(1),
    pagination: (total: number, extra: TablePaginationConfig = {}): TablePaginationConfig => ({
      current: page,
      pageSize,
      total,
      showSizeChanger: true,
      pageSizeOptions: [15, 25, 50, 100],
      showTotal: (n) => t('common:table.total', { count: n }),
      onChange: (p, s) => {
        setPage(p);
        setPageSize(s);
      },
      ...extra,
    }),
  };
}
