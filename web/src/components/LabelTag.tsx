import { Tag } from 'antd';

/** A label as Harbor shows it: its name on its colour (text is React-escaped, never HTML). */
export function LabelTag({ name, color }: { name: string; color: string }) {
  return (
    <Tag color={color || undefined} style={{ marginInlineEnd: 0 }}>
      {name}
    </Tag>
  );
}
