import { createContext, useContext } from 'react';
import type { Project } from '../../api/types';

export interface ProjectView {
  project: Project;
  /** Whether the signed-in user may do `action` on `resource` here (Harbor's RBAC names). */
  can(resource: string, action: string): boolean;
}

export const ProjectContext = createContext<ProjectView | null>(null);

/** The project a tab is rendered in (every tab is under ProjectPage). */
export function useProject(): ProjectView {
  const p = useContext(ProjectContext);
  if (!p) throw new Error('useProject outside ProjectPage');
  return p;
}
