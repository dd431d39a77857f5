import type { z } from 'zod';
import { AppError } from '../../platform/errors.js';

/** Validates a request body at the API edge; the first problem becomes a 400 naming the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('BAD_REQUEST', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return r.data;
}

export function idParam(value: string, name = 'id'): number {
  if (!/^\d{1,10}$/.test(value)) throw new AppError('BAD_REQUEST', `${name} must be a positive integer`);
  return Number(value);
}
