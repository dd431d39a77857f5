import { z } from 'zod';
import { jsonBody, projectRefParams } from './common.js';

/** A metadata map as Harbor's metadatas endpoints take and return it: string keys, string values. */
const metadataMap = z.record(z.string().max(64), z.string().max(1024));

export const metadataBody = jsonBody(metadataMap.meta({ id: 'ProjectMetadataMap' }));
export const metadataResp = z.record(z.string(), z.string());
export const metadataParams = projectRefParams.extend({ meta_name: z.string().min(1).max(64) });
