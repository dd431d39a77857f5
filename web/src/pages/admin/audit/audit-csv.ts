import type { AuditLog } from '../types';

export interface AuditFilter {
  username?: string;
  operation?: string;
  resourceType?: string;
  resource?: string;
  /** ISO 8601 bounds of op_time. */
  from?: string;
  to?: string;
}

/** Harbor's q splits on commas and reads brackets: a typed value keeps neither. */
const clean = (s: string) => s.replace(/[,[\]{}()~]/g, ' ').trim();

/** The filter as Harbor's q (`username=~x,operation=create,op_time=[a~b]`). */
export function auditQuery(f: AuditFilter): string | undefined {
  const parts: string[] = [];
  const username = clean(f.username ?? '');
  const resource = clean(f.resource ?? '');
  if (username) parts.push(`username=~${username}`);
  if (f.operation) parts.push(`operation=${f.operation}`);
  if (f.resourceType) parts.push(`resource_type=${f.resourceType}`);
  if (resource) parts.push(`resource=~${resource}`);
  if (f.from || f.to) parts.push(`op_time=[${f.from ?? ''}~${f.to ?? ''}]`);
  return parts.length ? parts.join(',') : undefined;
}

export const csvColumns = ['id', 'op_time', 'username', 'operation', 'resource_type', 'resource', 'operation_result'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A field a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsv(rows: AuditLog[]): string {
  const lines = [csvColumns.join(',')];
  for (const r of rows) lines.push(csvColumns.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
