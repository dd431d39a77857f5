import { Tag, type TagProps } from 'antd';

/** A label's colour as #RRGGBB, or null for what is not one (#RGB widened, an alpha dropped). */
function hexColour(color: string): string | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color);
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!.slice(0, 6);
  return `#${hex}`;
}

/**
 * Whether black text reads better than white on a #RRGGBB colour: its WCAG relative luminance
 * above 0.179, where the two contrasts are equal ((L + 0.05)² = 0.05 × 1.05). The better of the
 * two is at least 4.58:1 on any colour.
 */
function isLight(hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179;
}

/**
 * A label as Harbor shows it: its name on its colour, in black or white, whichever reads (text is
 * React-escaped, never HTML). Solid: antd's default tint puts the colour on the text instead,
 * which a light colour leaves unreadable. Every label chip in the portal is this one.
 */
export function LabelTag({ name, color, style, ...rest }: { name: string; color: string } & Omit<TagProps, 'color' | 'children' | 'variant'>) {
  const hex = hexColour(color);
  const ink = hex === null ? {} : isLight(hex) ? { color: '#000', borderColor: '#d9d9d9' } : { color: '#fff' };
  return (
    <Tag {...rest} color={hex ?? undefined} variant={hex === null ? undefined : 'solid'} style={{ marginInlineEnd: 0, ...ink, ...style }}>
      {name}
    </Tag>
  );
}
