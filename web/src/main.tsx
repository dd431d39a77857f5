import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { queryClient } from './api/queries';
import { App } from './app/App';
import { PreferencesProvider } from './app/preferences';
import { Themed } from './app/Themed';
import { prefetchRoute } from './app/route-prefetch';
import { SessionProvider } from './auth/session';
import './i18n';

const root = document.getElementById('root');
prefetchRoute(window.location.pathname, queryClient);
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <PreferencesProvider>
          <Themed>
            <BrowserRouter>
              <SessionProvider>
                <App />
              </SessionProvider>
            </BrowserRouter>
          </Themed>
        </PreferencesProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
