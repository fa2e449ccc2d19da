import { useEffect, type ReactElement } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { usePipelines, useRetryRun, useRuns } from '../api/hooks';
import { RUN_STATUSES } from '../api/types';

const TRIGGER_KINDS = ['manual', 'schedule', 'dataset', 'metric', 'retry'];
import { ErrorMessage } from '../components/ErrorMessage';
import { formatDuration, formatRelative } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import { TriggerLabel } from './trigger';

export function RunsPage(): ReactElement {
  const [params, setParams] = useSearchParams();
  const pipeline = params.get('pipeline') ?? '';
  const status = params.get('status') ?? '';
  const trigger = params.get('trigger') ?? '';
  const runs = useRuns(pipeline || undefined, status || undefined, trigger || undefined);
  const pipelines = usePipelines();
  const retry = useRetryRun();
  const navigate = useNavigate();

  useEffect(() => {
    document.title = 'Runs · Pipeline Studio';
  }, []);

  const setFilter = (key: string, value: string): void => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="muted">Every run, with what started it and how it went.</p>
        </div>
      </header>
      <div className="filters">
        <label className="inline-field">
          <span>Pipeline</span>
          <select value={pipeline} onChange={(e) => setFilter('pipeline', e.target.value)} data-testid="filter-pipeline">
            <option value="">All pipelines</option>
            {pipelines.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Status</span>
          <select value={status} onChange={(e) => setFilter('status', e.target.value)} data-testid="filter-status">
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Trigger</span>
          <select value={trigger} onChange={(e) => setFilter('trigger', e.target.value)} data-testid="filter-trigger">
            <option value="">Any trigger</option>
            {TRIGGER_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={runs.error ?? retry.error} />
      {runs.isPending ? <p className="muted">Loading runs…</p> : null}
      {runs.data?.length === 0 ? (
        <div className="empty">
          <p>No runs{pipeline || status || trigger ? ' match these filters' : ' yet'}.</p>
          <p className="muted small">Open a pipeline and press Run.</p>
        </div>
      ) : null}
      {runs.data?.length ? (
        <table className="table" data-testid="run-list">
          <thead>
            <tr>
              <th>Run</th>
              <th>Pipeline</th>
              <th>Status</th>
              <th>Steps</th>
              <th>Trigger</th>
              <th>Started</th>
              <th>Duration</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-testid={`run-row-${r.id}`}>
                <td>
                  <Link to={`/runs/${r.id}`} className="strong">
                    #{r.id}
                  </Link>
                </td>
                <td>
                  <Link to={`/pipelines/${r.pipeline}`}>{r.pipeline_name}</Link> <span className="muted small">v{r.version_number}</span>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="small">
                  {Object.entries(r.step_counts ?? {})
                    .filter(([, n]) => n > 0)
                    .map(([k, n]) => `${n} ${k}`)
                    .join(' · ') || '—'}
                </td>
                <td className="small">
                  <TriggerLabel trigger={r.trigger} compact testId={`run-trigger-${r.id}`} />
                </td>
                <td title={r.started_at ?? r.created_at}>{formatRelative(r.started_at ?? r.created_at)}</td>
                <td>{formatDuration(r.duration_seconds)}</td>
                <td className="actions">
                  {r.status === 'failed' || r.status === 'aborted' ? (
                    <button
                      type="button"
                      className="btn btn-ghost small"
                      disabled={retry.isPending}
                      onClick={() => retry.mutate(r.id, { onSuccess: (nr) => navigate(`/runs/${nr.id}`) })}
                    >
                      Retry
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
