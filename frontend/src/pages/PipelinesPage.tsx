import { useEffect, type ReactElement } from 'react';
import { Link } from 'react-router-dom';
import { useDeletePipeline, usePipelines } from '../api/hooks';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatRelative } from '../components/format';
import { toast } from '../components/toast';

export function PipelinesPage(): ReactElement {
  const pipelines = usePipelines();
  const del = useDeletePipeline();

  useEffect(() => {
    document.title = 'Pipelines · Pipeline Studio';
  }, []);

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Pipelines</h1>
          <p className="muted">Graphs of components, versioned on every save.</p>
        </div>
        <Link to="/pipelines/new" className="btn btn-primary" data-testid="new-pipeline">
          + New pipeline
        </Link>
      </header>
      <ErrorMessage error={pipelines.error ?? del.error} />
      {pipelines.isPending ? <p className="muted">Loading pipelines…</p> : null}
      {pipelines.data?.length === 0 ? (
        <div className="empty">
          <p>No pipelines yet.</p>
          <Link to="/pipelines/new" className="btn btn-primary">
            Create your first pipeline
          </Link>
        </div>
      ) : null}
      {pipelines.data?.length ? (
        <table className="table rows-link" data-testid="pipeline-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Steps</th>
              <th>Versions</th>
              <th>Last saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {pipelines.data.map((p) => (
              <tr key={p.id} data-testid={`pipeline-row-${p.name}`}>
                <td>
                  <Link to={`/pipelines/${p.id}`} className="strong">
                    {p.name}
                  </Link>
                  {p.description ? <div className="muted small">{p.description}</div> : null}
                </td>
                <td>{p.latest_version?.node_count ?? 0}</td>
                <td>v{p.latest_version?.number ?? p.version_count}</td>
                <td title={p.updated_at}>
                  {formatRelative(p.updated_at)}
                  {p.latest_version?.author ? <span className="muted small"> by {p.latest_version.author}</span> : null}
                </td>
                <td className="actions">
                  <Link to={`/runs?pipeline=${p.id}`} className="btn btn-ghost small">
                    Runs
                  </Link>
                  <button
                    type="button"
                    className="btn btn-ghost small danger"
                    onClick={() => {
                      if (window.confirm(`Delete the pipeline “${p.name}” and its versions?`)) {
                        del.mutate(p.id, { onSuccess: () => toast.success(`Deleted “${p.name}”.`) });
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
