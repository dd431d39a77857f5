import { PlusOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';

export interface TableToolbarProps {
  /**
   * The primary create button on the left. `false` when this user may not create: the search
   * then stays on the right where others see it. Left out when the page creates nothing.
   */
  create?: { label: string; onClick(): void; disabled?: boolean | undefined } | false | undefined;
  /** The search on the right; onSearch gets the trimmed text (empty when cleared). */
  search?: { label: string; onSearch(text: string): void };
}

/** What sits above a list: create on the left, search on the right, the same on every page. */
export function TableToolbar({ create, search }: TableToolbarProps) {
  if (!create && !search) return null;
  return (
    <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
      {create ? (
        <Button type="primary" icon={<PlusOutlined />} onClick={create.onClick} disabled={create.disabled ?? false}>
          {create.label}
        </Button>
      ) : (
        create === false && <span />
      )}
      {search && <Input.Search placeholder={search.label} aria-label={search.label} allowClear onSearch={(v) => search.onSearch(v.trim())} style={{ width: 280 }} />}
    </Space>
  );
}
