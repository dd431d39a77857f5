import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Project } from '../api/types';

/**
 * The projects whose names match what is typed (Harbor's fuzzy name match, on the server), for a
 * picker: only those the user sees, and only the first ten.
 */
export function useProjectSearch(typed: string) {
  return useQuery({
    queryKey: ['projects', 'pick', typed],
    queryFn: () => api.get<Project[]>('/projects', { name: typed, page_size: 10 }),
  });
}
