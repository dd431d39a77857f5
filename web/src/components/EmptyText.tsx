import { theme } from 'antd';

/**
 * A table's empty state: what to do next, in the secondary text colour (antd's placeholder grey
 * is below WCAG's 4.5:1 contrast, which axe reports as serious).
 */
export function EmptyText({ text }: { text: string }) {
  const { token } = theme.useToken();
  return <div style={{ color: token.colorTextSecondary, padding: '16px 0' }}>{text}</div>;
}
