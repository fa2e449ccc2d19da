import { useEffect, useRef, useState, type ReactElement } from 'react';
import { ApiError } from '../api/client';
import { artifactDownloadUrl, getStepLog } from '../api/endpoints';
import { isTerminalStep, type Artifact, type ArtifactPreview, type StepRun } from '../api/types';
import { ConfusionMatrix } from '../charts/ConfusionMatrix';
import { RocChart } from '../charts/RocChart';
import { formatBytes, formatDuration, formatNumber, formatTime } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import type { ComponentSpec, GraphNode } from '../pipeline-core';

const MAX_LOG = 512 * 1024;
/** Log reads while a step runs: new lines show within about half a second (the run page's promise is one). */
const LOG_POLL_MS = 500;

/** Follows a step's log: fetches from the last offset every LOG_POLL_MS until the step ends. */
export function useLogTail(runId: number, node: string, status: string | undefined): { text: string; error: string | null; following: boolean } {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [following, setFollowing] = useState(true);
  const statusRef = useRef(status);
  statusRef.current = status;

  useEffect(() => {
    let offset = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    setText('');
    setError(null);
    setFollowing(true);

    const tick = async (): Promise<void> => {
      let done = false;
      try {
        const chunk = await getStepLog(runId, node, offset, controller.signal);
        if (stopped) return;
        if (chunk.text) setText((t) => (t + chunk.text).slice(-MAX_LOG));
        offset = chunk.nextOffset;
        setError(null);
        const st = chunk.stepStatus ?? statusRef.current;
        // One last read after the step ended catches lines written at the very end.
        done = isTerminalStep(st) && !chunk.text;
      } catch (e) {
        if (stopped || (e as Error).name === 'AbortError') return;
        if (e instanceof ApiError && e.status === 404) {
          done = isTerminalStep(statusRef.current); // no log yet (still pending) or none at all
        } else {
          setError(e instanceof Error ? e.message : String(e));
        }
      }
      if (stopped) return;
      if (done) setFollowing(false);
      else timer = setTimeout(() => void tick(), LOG_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [runId, node]);

  return { text, error, following };
}

function LogView({ runId, step }: { runId: number; step: { node: string; status: string | undefined } }): ReactElement {
  const { text, error, following } = useLogTail(runId, step.node, step.status);
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div className="log">
      <div className="log-head">
        <span>Log</span>
        {following ? <span className="live">● live</span> : null}
      </div>
      <pre
        ref={ref}
        className="log-text"
        data-testid="step-log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {text || (following ? 'Waiting for output…' : 'No output.')}
      </pre>
      {error ? <p className="field-error">{error}</p> : null}
    </div>
  );
}

/** An artifact's preview: metrics, confusion matrix, ROC curve, table or text. */
export function Preview({ preview }: { preview: ArtifactPreview }): ReactElement | null {
  if (!preview) return null;
  switch (preview.kind) {
    case 'metrics':
      return (
        <dl className="metrics" data-testid="metrics">
          {Object.entries(preview.values).map(([k, v]) => (
            <div key={k} className="metric">
              <dt>{k}</dt>
              <dd>{formatNumber(v)}</dd>
            </div>
          ))}
        </dl>
      );
    case 'confusion_matrix':
      return <ConfusionMatrix labels={preview.labels} matrix={preview.matrix} />;
    case 'roc':
      return <RocChart curves={preview.curves} />;
    case 'table':
      return (
        <div className="table-preview" data-testid="table-preview">
          <div className="scroll-x">
            <table className="table compact">
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => (
                      <td key={j}>{formatNumber(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            {preview.rows.length} of {preview.total_rows ?? '?'} rows
          </p>
        </div>
      );
    case 'text':
      return <pre className="code small">{preview.text}</pre>;
    default:
      return null;
  }
}

function ArtifactCard({ artifact }: { artifact: Artifact }): ReactElement {
  return (
    <div className="artifact" data-testid={`artifact-${artifact.name}`}>
      <div className="artifact-head">
        <strong>{artifact.name}</strong>
        <span className="type-badge">{artifact.type ?? 'untyped'}</span>
        <span className="muted small">{formatBytes(artifact.size)}</span>
        <a className="link small" href={artifactDownloadUrl(artifact.id)} download data-testid={`download-${artifact.name}`}>
          Download
        </a>
      </div>
      <Preview preview={artifact.preview} />
    </div>
  );
}

function isArtifactLike(v: unknown): v is Artifact {
  return typeof v === 'object' && v !== null && 'id' in v && ('sha256' in v || 'media_type' in v);
}

export interface ArtifactRef {
  node: string;
  artifact: Artifact;
}

function InputValue({ value, artifacts }: { value: unknown; artifacts: Map<number, ArtifactRef> }): ReactElement {
  if (typeof value === 'object' && value !== null && 'artifact' in value) {
    const id = Number((value as { artifact: unknown }).artifact);
    const ref = artifacts.get(id);
    return (
      <span>
        <a href={artifactDownloadUrl(id)} download>
          {ref ? `${ref.node}.${ref.artifact.name}` : `artifact #${id}`}
        </a>{' '}
        {ref ? (
          <span className="muted small">
            {ref.artifact.type ?? 'untyped'} · {formatBytes(ref.artifact.size)}
          </span>
        ) : null}
      </span>
    );
  }
  if (isArtifactLike(value)) {
    return (
      <span>
        artifact <a href={artifactDownloadUrl(value.id)}>{value.name ?? `#${value.id}`}</a>{' '}
        <span className="muted small">{formatBytes(value.size)}</span>
      </span>
    );
  }
  if (typeof value === 'object' && value !== null && 'value' in value) {
    return <code>{formatNumber((value as { value: unknown }).value)}</code>;
  }
  return <code>{formatNumber(value)}</code>;
}

export interface StepDrawerProps {
  runId: number;
  nodeId: string;
  node: GraphNode | undefined;
  spec: ComponentSpec | undefined;
  step: StepRun | undefined;
  /** Every artifact of the run by id, to name the inputs a step read. */
  artifacts: Map<number, ArtifactRef>;
  onClose: () => void;
}

export function StepDrawer({ runId, nodeId, node, spec, step, artifacts, onClose }: StepDrawerProps): ReactElement {
  const status = step?.status ?? 'pending';
  const inputs = Object.entries(step?.inputs ?? {});
  return (
    <aside className="drawer" aria-label={`Step ${nodeId}`} data-testid="step-drawer">
      <header className="drawer-head">
        <div>
          <div className="drawer-title">{node?.label || spec?.name || nodeId}</div>
          <div className="muted small">
            <code>{nodeId}</code>
            {spec || step?.component_name ? ` · ${step?.component_name ?? spec?.name}` : ''}
          </div>
        </div>
        <StatusBadge status={status} testId="step-status" />
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close step details">
          ✕
        </button>
      </header>
      <div className="drawer-body">
        {step ? (
          <section className="kv-grid">
            <div className="kv">
              <span>Attempt</span>
              <span>
                {step.attempt}
                {step.max_attempts ? ` of ${step.max_attempts}` : ''}
                {step.cached_from ? ` · cached from step #${step.cached_from}` : ''}
              </span>
            </div>
            <div className="kv">
              <span>Exit code</span>
              <span>{step.exit_code ?? '—'}</span>
            </div>
            <div className="kv">
              <span>Started</span>
              <span>{formatTime(step.started_at)}</span>
            </div>
            <div className="kv">
              <span>Duration</span>
              <span>{formatDuration(step.duration_seconds)}</span>
            </div>
            <div className="kv">
              <span>Peak memory</span>
              <span>{formatBytes(step.peak_memory_bytes)}</span>
            </div>
            <div className="kv">
              <span>CPU time</span>
              <span>{formatDuration(step.cpu_seconds)}</span>
            </div>
          </section>
        ) : (
          <p className="muted">This step has not started.</p>
        )}
        {step?.error ? (
          <div className="error-box" role="alert">
            {step.error}
          </div>
        ) : null}
        <LogView runId={runId} step={{ node: nodeId, status: step?.status }} key={nodeId} />
        {inputs.length ? (
          <>
            <h4 className="section-title">Inputs</h4>
            <dl className="inputs-list">
              {inputs.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <InputValue value={v} artifacts={artifacts} />
                  </dd>
                </div>
              ))}
            </dl>
          </>
        ) : null}
        {step?.outputs?.length ? (
          <>
            <h4 className="section-title">Outputs</h4>
            {step.outputs.map((a) => (
              <ArtifactCard key={a.id} artifact={a} />
            ))}
          </>
        ) : null}
      </div>
    </aside>
  );
}
