import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useLogin, useMe } from '../api/hooks';
import { ErrorMessage } from '../components/ErrorMessage';

export function LoginPage(): ReactElement {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const me = useMe(); // also makes the server set the csrftoken cookie
  const login = useLogin();
  const next = params.get('next') || '/pipelines';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/pipelines';

  useEffect(() => {
    document.title = 'Sign in · Pipeline Studio';
  }, []);

  if (me.data) return <Navigate to={safeNext} replace />;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    login.mutate({ username, password }, { onSuccess: () => navigate(safeNext, { replace: true }) });
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} aria-label="Sign in">
        <div className="brand big">
          <span className="brand-mark">◆</span>
          <span>Pipeline Studio</span>
        </div>
        <p className="muted">Build, run and inspect ML pipelines.</p>
        <label className="field">
          <span className="field-name">Username</span>
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label className="field">
          <span className="field-name">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <ErrorMessage error={login.error} />
        <button type="submit" className="btn btn-primary wide" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
