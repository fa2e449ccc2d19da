import { useEffect, useMemo, type ReactElement } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useAbortRun, useRetryRun, useRun } from '../api/hooks';
import { isTerminalRun, type Run } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatDuration, formatNumber, formatTime } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import { toast } from '../components/toast';
import { PipelineEditor } from '../editor/PipelineEditor';
import { parseDocument, type DatasetRef, type PipelineDocument } from '../pipeline-core';
import { StepDrawer, type ArtifactRef } from './StepDrawer';
import { TriggerLabel } from './trigger';
import { useSpecs } from './useSpecs';

/**
 * The graph as the run read it: inputs that read a dataset show the version pinned when the run
 * was created (`dataset_inputs`; a dataset trigger binds its version whatever the graph says).
 */
function useRunGraph(run: Run | undefined): PipelineDocument | null {
  // A run's graph never changes: parse it once per run, not on every poll.
  const id = run?.id;
  return useMemo(() => {
    if (!run) return null;
    try {
      const doc = parseDocument(run.graph, []);
      const read = run.dataset_inputs ?? {};
      doc.graph.nodes = doc.graph.nodes.map((n) => {
        const inputs = read[n.id];
        if (!inputs) return n;
        const args = { ...n.arguments };
        for (const [input, d] of Object.entries(inputs)) args[input] = { dataset: { id: d.dataset, version: d.version } };
        return { ...n, arguments: args };
      });
      return doc;
    } catch {
      return null;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, !!run]);
}

/** Names for the dataset hints on the canvas, from what the run read. */
function useRunDatasets(run: Run | undefined): DatasetRef[] | undefined {
  const id = run?.id;
  return useMemo(() => {
    const seen = new Map<number, DatasetRef>();
    for (const inputs of Object.values(run?.dataset_inputs ?? {})) {
      for (const d of Object.values(inputs ?? {})) {
        seen.set(d.dataset, { id: d.dataset, name: d.dataset_name, kind: 'dataset', latest_version: Math.max(d.version, seen.get(d.dataset)?.latest_version ?? 0) });
      }
    }
    return seen.size ? [...seen.values()] : undefined;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, !!run]);
}

export function RunPage(): ReactElement {
  const id = Number(useParams().id);
  const run = useRun(id);
  const abort = useAbortRun();
  const retry = useRetryRun();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const selected = search.get('step');
  const doc = useRunGraph(run.data);
  const runDatasets = useRunDatasets(run.data);
  const specs = useSpecs(doc);
  const data = run.data;

  const statusKey = data ? data.steps.map((s) => `${s.node_id}:${s.status}`).join('|') : '';
  const statuses = useMemo(() => {
    const map: Record<string, string> = {};
    for (const n of doc?.graph.nodes ?? []) map[n.id] = 'pending';
    for (const s of data?.steps ?? []) map[s.node_id] = s.status;
    return map;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, statusKey]);

  const artifacts = useMemo(() => {
    const map = new Map<number, ArtifactRef>();
    for (const s of data?.steps ?? []) for (const a of s.outputs ?? []) map.set(a.id, { node: s.node_id, artifact: a });
    return map;
  }, [data]);

  useEffect(() => {
    if (data) document.title = `Run #${data.id} ${data.status} · Pipeline Studio`;
  }, [data]);

  const selectStep = (node: string | null): void => {
    const next = new URLSearchParams(search);
    if (node) next.set('step', node);
    else next.delete('step');
    setSearch(next, { replace: true });
  };

  if (run.error) {
    return (
      <div className="page">
        <Link to="/runs" className="back">
          ← Runs
        </Link>
        <ErrorMessage error={run.error} title={`Cannot load run #${id}`} />
      </div>
    );
  }
  if (!data) return <div className="page muted">Loading run…</div>;

  const terminal = isTerminalRun(data.status);
  const step = selected ? data.steps.find((s) => s.node_id === selected) : undefined;
  const node = selected ? doc?.graph.nodes.find((n) => n.id === selected) : undefined;
  const spec = node ? specs.all.find((v) => v.id === node.component_version) : undefined;
  const params = Object.entries(data.parameters ?? {});
  const datasetInputs = Object.entries(data.dataset_inputs ?? {}).flatMap(([nodeId, inputs]) =>
    Object.entries(inputs ?? {}).map(([input, d]) => ({ node: nodeId, input, ...d })),
  );

  return (
    <div className="run-page">
      <header className="run-head">
        <div>
          <Link to="/runs" className="back">
            ← Runs
          </Link>
          <h1>
            Run #{data.id} <StatusBadge status={data.status} testId="run-status" />
          </h1>
          <div className="muted small">
            <Link to={`/pipelines/${data.pipeline}?version=${data.version_number}`}>{data.pipeline_name}</Link> · version {data.version_number} ·{' '}
            <TriggerLabel trigger={data.trigger} testId="run-trigger" />
          </div>
        </div>
        <dl className="run-facts">
          <div>
            <dt>Created</dt>
            <dd>{formatTime(data.created_at)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(data.started_at)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatTime(data.finished_at)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="run-duration">{formatDuration(data.duration_seconds)}</dd>
          </div>
        </dl>
        <div className="head-actions">
          {!terminal ? (
            <button
              type="button"
              className="btn btn-danger"
              disabled={abort.isPending || data.abort_requested}
              onClick={() => abort.mutate(data.id, { onSuccess: () => toast.info(`Aborting run #${data.id}…`) })}
              data-testid="abort"
            >
              {abort.isPending ? 'Aborting…' : 'Abort'}
            </button>
          ) : null}
          {data.status === 'failed' || data.status === 'aborted' ? (
            <button
              type="button"
              className="btn btn-secondary"
              disabled={retry.isPending}
              onClick={() => retry.mutate(data.id, { onSuccess: (r) => navigate(`/runs/${r.id}`) })}
              data-testid="retry"
            >
              Retry
            </button>
          ) : null}
        </div>
      </header>
      <ErrorMessage error={abort.error ?? retry.error} />
      {data.error ? (
        <div className="error-box" role="alert" data-testid="run-error">
          {data.error}
        </div>
      ) : null}
      <div className="run-strip">
        {params.length ? (
          <span className="params">
            {params.map(([k, v]) => (
              <span key={k} className="param-chip">
                {k} = <code>{formatNumber(v)}</code>
              </span>
            ))}
          </span>
        ) : (
          <span className="muted small">No parameters</span>
        )}
        {datasetInputs.length ? (
          <span className="params" data-testid="run-dataset-inputs">
            {datasetInputs.map((d) => (
              <span key={`${d.node}.${d.input}`} className="param-chip dataset-chip" title={`${d.node}.${d.input} reads this version`}>
                <code>
                  {d.node}.{d.input}
                </code>{' '}
                ← <Link to={`/datasets/${d.dataset}?version=${d.version}`}>{`${d.dataset_name} v${d.version}`}</Link>
              </span>
            ))}
          </span>
        ) : null}
        <span className="counts">
          {Object.entries(data.step_counts ?? {})
            .filter(([, n]) => n > 0)
            .map(([k, n]) => (
              <span key={k} className={`count-chip status-${k}`}>
                {n} {k}
              </span>
            ))}
        </span>
      </div>
      <div className={`run-body${selected ? ' with-drawer' : ''}`}>
        <div className="run-canvas">
          {doc && specs.loading ? (
            <div className="splash">Loading graph…</div>
          ) : doc ? (
            <PipelineEditor
              pipeline={doc}
              readOnly
              variant="view"
              components={specs.all}
              statuses={statuses}
              onStepClick={selectStep}
              datasets={runDatasets}
              // The drawer is wider than the step list: re-fit so it covers none of the graph.
              fitKey={!!selected}
            />
          ) : (
            <ErrorMessage error={new Error('This run has no readable graph.')} />
          )}
        </div>
        {selected ? (
          <StepDrawer
            runId={data.id}
            nodeId={selected}
            node={node}
            spec={spec}
            step={step}
            artifacts={artifacts}
            onClose={() => selectStep(null)}
          />
        ) : (
          <aside className="step-list" aria-label="Steps">
            <h3>Steps</h3>
            <ul>
              {(doc?.graph.nodes ?? []).map((n) => {
                const s = data.steps.find((x) => x.node_id === n.id);
                return (
                  <li key={n.id}>
                    <button type="button" className="step-link" onClick={() => selectStep(n.id)} data-testid={`step-link-${n.id}`}>
                      <StatusBadge status={s?.status ?? 'pending'} />
                      <span className="step-link-name">{n.label || n.id}</span>
                      <span className="muted small">{formatDuration(s?.duration_seconds)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </aside>
        )}
      </div>
    </div>
  );
}
