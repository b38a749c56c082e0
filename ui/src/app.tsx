import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized } from './api';
import { formatDuration } from './format';
import { ConfigPage } from './pages/config';
import { DashboardPage } from './pages/dashboard';
import { LoginPage } from './pages/login';
import { LogsPage } from './pages/logs';
import { OAuthPage } from './pages/oauth';
import { PlaygroundPage } from './pages/playground';
import { ProvidersPage } from './pages/providers';
import { UsagePage } from './pages/usage';

interface SessionAnswer {
  readonly authenticated: boolean;
  readonly credentialConfigured: boolean;
  readonly version?: string;
  readonly uptimeSeconds?: number;
}

const PAGES = [
  { path: 'dashboard', title: 'Dashboard', Page: DashboardPage },
  { path: 'providers', title: 'Providers', Page: ProvidersPage },
  { path: 'oauth', title: 'OAuth', Page: OAuthPage },
  { path: 'usage', title: 'Usage', Page: UsagePage },
  { path: 'logs', title: 'Logs', Page: LogsPage },
  { path: 'playground', title: 'Playground', Page: PlaygroundPage },
  { path: 'config', title: 'Config', Page: ConfigPage },
] as const;

/** `#/providers?x=1` → { page: 'providers', query }. Hash routes: the server serves one index.html. */
function readRoute(): { page: string; query: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [page = '', query = ''] = hash.split('?', 2);
  return { page: page || 'dashboard', query: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const update = () => setRoute(readRoute());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function App() {
  const [session, setSession] = useState<SessionAnswer | undefined>(undefined);
  const [navOpen, setNavOpen] = useState(false);
  const route = useRoute();
  const refresh = () => api<SessionAnswer>('/api/session').then(setSession, () => setSession({ authenticated: false, credentialConfigured: true }));
  useEffect(() => {
    void refresh();
    return onUnauthorized(() => setSession((current) => ({ authenticated: false, credentialConfigured: current?.credentialConfigured ?? true })));
  }, []);
  useEffect(() => setNavOpen(false), [route.page]);
  const current = PAGES.find((page) => page.path === route.page) ?? PAGES[0];
  useEffect(() => {
    document.title = `${current.title} · AIClient-2-API`;
  }, [current]);

  if (!session)
    return (
      <p class="loading" aria-live="polite">
        Loading…
      </p>
    );
  if (!session.authenticated) return <LoginPage onLogin={() => void refresh()} />;

  const logout = async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    setSession({ authenticated: false, credentialConfigured: session.credentialConfigured });
  };
  const { Page } = current;
  return (
    <div class={`shell${navOpen ? ' nav-open' : ''}`}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button type="button" class="menu" aria-expanded={navOpen} aria-controls="nav" onClick={() => setNavOpen(!navOpen)}>
          ☰ <span class="visually-hidden">Menu</span>
        </button>
        <span class="brand">AIClient-2-API</span>
        <span class="meta" title="Gateway version and uptime">
          v{session.version} · up {formatDuration(session.uptimeSeconds ?? 0)}
        </span>
        {session.credentialConfigured ? (
          <button type="button" class="link" onClick={() => void logout()}>
            Log out
          </button>
        ) : (
          <span class="meta warn-text">No admin credential configured: the admin API is open</span>
        )}
      </header>
      <nav id="nav" class="nav" aria-label="Pages">
        <ul>
          {PAGES.map((page) => (
            <li key={page.path}>
              <a href={`#/${page.path}`} aria-current={page.path === current.path ? 'page' : undefined}>
                {page.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Page query={route.query} />
      </main>
    </div>
  );
}
