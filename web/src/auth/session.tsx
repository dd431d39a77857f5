import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api, ApiError, logout, setUnauthorizedHandler } from '../api/client';
import type { SystemInfo, User } from '../api/types';

interface Session {
  /** The signed-in user; null when nobody is. */
  user: User | null;
  loading: boolean;
  system: SystemInfo | undefined;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const current = useQuery({
    queryKey: ['users', 'current'],
    queryFn: async () => {
      try {
        return await api.get<User>('/users/current');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    retry: false,
    staleTime: 60_000,
  });
  const system = useQuery({ queryKey: ['systeminfo'], queryFn: () => api.get<SystemInfo>('/systeminfo'), staleTime: 60_000 });

  useEffect(() => {
    // A session that ends under the user (idle timeout) sends them to sign in, not to errors.
    setUnauthorizedHandler(() => client.setQueryData(['users', 'current'], null));
  }, [client]);

  const value: Session = {
    user: current.data ?? null,
    loading: current.isPending,
    system: system.data,
    refresh: async () => {
      await client.invalidateQueries();
    },
    signOut: async () => {
      await logout();
      // A full load drops every cached page and the CSRF token with the session.
      window.location.assign('/login');
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
