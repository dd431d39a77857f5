import { immutableOperations } from './immutable-operations.js';
import { labelsSystemGroup } from './labels-system-operations.js';
import { artifactReadOperations } from './artifact-read-operations.js';
import { artifactWriteOperations } from './artifact-write-operations.js';
import type { OperationGroup } from './operation.js';
import { quotaOperations } from './quota-operations.js';
import { retentionOperations } from './retention-operations.js';
import { systemJobOperations } from './system-job-operations.js';
import { webhookOperations } from './webhook-operations.js';

/** Every area's operations for the permission matrix test, one import per area. */
export const areaGroups: OperationGroup[] = [immutableOperations, quotaOperations, labelsSystemGroup, artifactReadOperations, artifactWriteOperations, retentionOperations, webhookOperations, systemJobOperations];
