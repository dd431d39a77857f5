import { artifactWriteOperations } from './artifact-write-operations.js';
import type { OperationGroup } from './operation.js';

/** Every area's operations for the permission matrix test, one import per area. */
export const areaGroups: OperationGroup[] = [artifactWriteOperations];
