import { Tag } from 'antd';

/** Whether a #RRGGBB colour is light enough to need dark text (WCAG relative luminance). */
function isLight(hex: string): boolean {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return false;
  const [r, g, b] = m.slice(1).map((x) => {
    const c = Number.parseInt(x, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4;
}

/** A label as Harbor shows it: its name on its colour (text is React-escaped, never HTML). */
export function LabelTag({ name, color }: { name: string; color: string }) {
  const light = color !== '' && isLight(color);
  return (
    <Tag color={color || undefined} style={{ marginInlineEnd: 0, ...(light ? { color: '#000', borderColor: '#d9d9d9' } : {}) }}>
      {name}
    </Tag>
  );
}
