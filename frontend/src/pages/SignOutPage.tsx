import { useEffect, useRef, type ReactElement } from 'react';
import { useNavigate } from 'react-router-dom';
import { useLogout } from '../api/hooks';

/**
 * `/logout`: ends the session, then shows the sign-in form. Sign out navigates here instead of
 * logging out on the spot, so a page that guards unsaved work (the editor's "Leave without saving?")
 * can stop the navigation first; the session only ends once the page has really been left.
 */
export function SignOutPage(): ReactElement {
  const navigate = useNavigate();
  const logout = useLogout();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice in development
    started.current = true;
    logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
  }, [logout, navigate]);
  return <div className="splash">Signing out…</div>;
}
