import type { ReactElement } from 'react';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router-dom';

export function NotFoundPage(): ReactElement {
  return (
    <div className="page narrow">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link to="/pipelines" className="btn">
        Go to pipelines
      </Link>
    </div>
  );
}

/** Router-level errors (a route that failed to render): a message, never a blank page. */
export function RouteError(): ReactElement {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <div className="crash" role="alert" data-testid="crash">
      <h2>Something went wrong</h2>
      <p className="muted">{message}</p>
      <a className="btn" href="/">
        Back to start
      </a>
    </div>
  );
}
