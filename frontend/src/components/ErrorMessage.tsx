import type { ReactElement } from 'react';
import { ApiError, errorMessage } from '../api/client';

/** An API error as a person reads it: the message, then each problem with where it is. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }): ReactElement | null {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  const message = errorMessage(error);
  const extra = problems.filter((p) => p.message !== message);
  return (
    <div className="error-box" role="alert" data-testid="error-message">
      {title ? <strong>{title}: </strong> : null}
      <span>{message}</span>
      {extra.length ? (
        <ul>
          {extra.map((p, i) => (
            <li key={i}>
              {p.node || p.port || p.field ? (
                <code className="where">{[p.node, p.port].filter(Boolean).join('.') || p.field}</code>
              ) : null}{' '}
              {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
