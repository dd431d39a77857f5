import type { HarborRole } from '../helpers/harbor-matrix.js';
import type { apiClient, Creds, Reply } from '../helpers/api-client.js';
import type { RunningHaven } from '../helpers/haven.js';

export type Who = HarborRole | 'nonMember' | 'anonymous' | 'sysadmin';
export type Variant = 'private' | 'public';

export interface ProjectUnderTest {
  name: string;
  id: number;
  /** Member id of "target", a guest whom role holders update and remove. */
  targetMid: number;
  /** Throwaway empty projects, one per caller, for the delete operation. */
  throwaway: Map<Who, { name: string; id: number }>;
  /** Whatever an area's setup made in this project (digests, label ids, rule ids...), by key. */
  fixtures: Record<string, unknown>;
}

/** One API operation: the permission it needs and how to try it as a caller. */
export interface Operation {
  name: string;
  permission: string;
  /** The status that means "done" (anything else, other than the expected refusal, is a failure). */
  okStatus: number;
  attempt(as: Creds | null, p: ProjectUnderTest, who: Who, variant: Variant): Promise<Reply>;
  /** The API asks for a login before it looks at any project: anonymous callers get 401 there. */
  loginFirst?: boolean;
  /**
   * A system API (sysadmins only, no project in it): nothing is hidden, so a non-member of a
   * private project is refused with 403 as any other logged-in caller, never 404.
   */
  system?: boolean;
  /**
   * The refusal of a private project to those outside it, when not 404: POST /retentions names
   * its project in the body, and one the caller may not see is a bad reference (400), as a
   * missing one is (Harbor's "invalid Project id").
   */
  hiddenRefusal?: number;
  /** Puts things back after an allowed attempt, as the administrator. */
  restore?(r: Reply, p: ProjectUnderTest): Promise<void>;
}

export interface MatrixContext {
  h: RunningHaven;
  client: ReturnType<typeof apiClient>;
  /** As the administrator unless `as` says otherwise. */
  api: ReturnType<typeof apiClient>['api'];
}

/**
 * An area's operations (artifacts, labels, quotas, ...), with the setup they need in each of the
 * two projects under test (push an image, create a label), run once as the administrator.
 * Each area keeps its group in its own file here, listed in index.ts.
 */
export interface OperationGroup {
  name: string;
  setup?(ctx: MatrixContext, p: ProjectUnderTest, variant: Variant): Promise<void>;
  operations: Operation[];
}
