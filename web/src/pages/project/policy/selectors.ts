/** Harbor's selector, as retention and immutability rules hold them. */
export interface Selector {
  kind: string;
  decoration: string;
  pattern: string;
  extras?: string;
}

/** Harbor's rule shape, shared by retention rules and immutable tag rules. */
export interface Rule {
  id: number;
  priority: number;
  disabled: boolean;
  action: string;
  template: string;
  params?: Record<string, unknown>;
  tag_selectors: Selector[];
  scope_selectors: Record<string, Selector[]>;
}

export const doublestar = (decoration: string, pattern: string, extras?: string): Selector => ({ kind: 'doublestar', decoration, pattern, ...(extras === undefined ? {} : { extras }) });

/** The `untagged` flag retention keeps in a tag selector's extras (`{"untagged":true}`). */
export function untagged(s: Selector | undefined): boolean {
  try {
    return s?.extras ? (JSON.parse(s.extras) as { untagged?: boolean }).untagged === true : false;
  } catch {
    return false;
  }
}
