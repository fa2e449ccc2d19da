import type { ReactElement } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useMe } from '../api/hooks';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { ErrorMessage } from '../components/ErrorMessage';

const NAV = [
  { to: '/catalog', label: 'Catalog', icon: '▦' },
  { to: '/pipelines', label: 'Pipelines', icon: '⋔' },
  { to: '/runs', label: 'Runs', icon: '▶' },
  { to: '/datasets', label: 'Datasets', icon: '⛁' },
  { to: '/schedules', label: 'Schedules', icon: '◷' },
];

export function Shell(): ReactElement {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();

  if (me.isPending) {
    return <div className="splash">Loading Pipeline Studio…</div>;
  }
  if (me.error) {
    if (me.error instanceof ApiError && me.error.isAuth) {
      const next = location.pathname + location.search;
      return <Navigate to={`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
    }
    return (
      <div className="page narrow">
        <h1>Pipeline Studio</h1>
        <ErrorMessage error={me.error} title="Cannot load your account" />
        <button type="button" className="btn" onClick={() => void me.refetch()}>
          Try again
        </button>
      </div>
    );
  }

  return (
    <div className="shell">
      <nav className="sidenav" aria-label="Main">
        <div className="brand">
          <span className="brand-mark">◆</span>
          <span>Pipeline Studio</span>
        </div>
        {NAV.map((item) => (
          <NavLink key={item.to} to={item.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
            <span className="nav-icon" aria-hidden>
              {item.icon}
            </span>
            {item.label}
          </NavLink>
        ))}
        <div className="nav-foot">
          <div className="user" title="Signed in">
            <span className="avatar" aria-hidden>
              {me.data.username.slice(0, 1).toUpperCase()}
            </span>
            <span data-testid="current-user">{me.data.username}</span>
          </div>
          {/* Leaving first lets the editor ask about unsaved changes; /logout ends the session once left. */}
          <button type="button" className="link small" onClick={() => navigate('/logout')} data-testid="sign-out">
            Sign out
          </button>
        </div>
      </nav>
      <main className="main">
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
