// One dataset: upload a version (with progress), register an external URI, the versions
// with their provenance, a preview, the triggers it starts, and its lineage graph.
import { useEffect, useRef, useState, type DragEvent, type ReactElement } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { datasetDownloadUrl } from '../api/endpoints';
import {
  useDataset,
  useDatasetTriggerFirings,
  useDatasetTriggers,
  useDatasetVersions,
  useLineage,
  useRegisterDatasetUri,
  useUploadDatasetVersion,
} from '../api/hooks';
import { isTerminalRun, type CommitResult, type Dataset, type DatasetTrigger, type DatasetTriggerFiring, type DatasetVersion } from '../api/types';
import type { UploadProgress } from '../api/upload';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatBytes, formatNumber, formatRelative, formatTime, shortSha } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import { toast } from '../components/toast';
import { LineageGraph } from '../lineage/LineageGraph';
import { KindBadge } from './DatasetsPage';
import { Preview } from './StepDrawer';

/** How long the page keeps asking for trigger firings after a new version (they are created by a worker). */
const WATCH_MS = 60_000;

const URI_SCHEMES = ['s3://', 'hdfs://', 'file://'];
const CHECKSUM_RE = /^sha256:[0-9a-fA-F]{64}$/;

function CommitOutcome({ result, dataset }: { result: CommitResult; dataset: Dataset }): ReactElement {
  const v = result.version;
  if (result.created) {
    return (
      <div className="success-box" role="status" data-testid="upload-result" data-created="true">
        Version <strong>{v.number}</strong> of {dataset.name} was created{v.sha256 ? <> (sha256 <code>{shortSha(v.sha256)}</code>)</> : null}.
        {' '}Its triggers start now.
      </div>
    );
  }
  return (
    <div className="info-box" role="status" data-testid="upload-result" data-created="false">
      <strong>Identical content: no new version.</strong> These bytes are exactly version {v.number}, the latest
      {v.sha256 ? (
        <>
          {' '}
          (sha256 <code>{shortSha(v.sha256)}</code>)
        </>
      ) : null}
      , so nothing was added and no trigger fired.
    </div>
  );
}

function UploadCard({ dataset, onCommitted }: { dataset: Dataset; onCommitted: (r: CommitResult) => void }): ReactElement {
  const upload = useUploadDatasetVersion();
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState('');
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [over, setOver] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const choose = (f: File | null): void => {
    setFile(f);
    setProgress(null);
    upload.reset();
  };
  const start = (): void => {
    if (!file) return;
    const c = new AbortController();
    controller.current = c;
    setProgress({ loaded: 0, total: file.size });
    upload.mutate(
      { dataset: dataset.id, file, message: message.trim(), onProgress: setProgress, signal: c.signal },
      {
        onSuccess: (r) => {
          setProgress((p) => ({ loaded: p?.total || file.size, total: p?.total || file.size }));
          if (r.created) setMessage('');
          onCommitted(r);
        },
        onError: (e) => {
          if ((e as Error).name === 'AbortError') toast.info('Upload cancelled.');
        },
      },
    );
  };
  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files?.[0];
    if (f) choose(f);
  };
  const pct = progress && progress.total ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : progress ? 0 : null;
  const cancelled = upload.error && (upload.error as Error).name === 'AbortError';

  return (
    <section className="card upload-card" data-testid="upload-card">
      <h3>Upload a new version</h3>
      <label
        className={`dropzone${over ? ' over' : ''}${file ? ' chosen' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <input
          ref={input}
          type="file"
          className="visually-hidden"
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
          disabled={upload.isPending}
          data-testid="upload-file"
        />
        {file ? (
          <span>
            <strong data-testid="upload-file-name">{file.name}</strong> <span className="muted">{formatBytes(file.size)}</span>
            <span className="muted small"> · choose another</span>
          </span>
        ) : (
          <span>
            <strong>Choose a file</strong> <span className="muted">or drop it here (CSV, TSV, Parquet, a model file, …)</span>
          </span>
        )}
      </label>
      <div className="upload-row">
        <input
          type="text"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="What changed? (optional)"
          aria-label="Version message"
          maxLength={500}
          disabled={upload.isPending}
          data-testid="upload-message"
        />
        {upload.isPending ? (
          <button type="button" className="btn btn-secondary" onClick={() => controller.current?.abort()} data-testid="upload-cancel">
            Cancel
          </button>
        ) : (
          <button type="button" className="btn btn-primary" disabled={!file} onClick={start} data-testid="upload-start">
            Upload
          </button>
        )}
      </div>
      {pct !== null && !cancelled ? (
        <div className="progress-wrap">
          <div
            className={`progress${upload.isPending ? ' active' : ''}${upload.isError ? ' failed' : ''}`}
            role="progressbar"
            aria-label="Upload progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            data-testid="upload-progress"
          >
            <div className="progress-bar" style={{ width: `${pct}%` }} />
          </div>
          <span className="progress-text small" data-testid="upload-progress-text">
            {upload.isPending
              ? pct >= 100
                ? 'Sent; the server is hashing and storing it…'
                : `${pct}% · ${formatBytes(Math.min(progress?.loaded ?? 0, file?.size ?? 0))} of ${formatBytes(file?.size)}`
              : upload.isSuccess
                ? `Uploaded ${formatBytes(file?.size ?? progress?.loaded)}`
                : upload.isError
                  ? 'Failed'
                  : ''}
          </span>
        </div>
      ) : null}
      {upload.data ? <CommitOutcome result={upload.data} dataset={dataset} /> : null}
      {upload.error && !cancelled ? <ErrorMessage error={upload.error} title="Upload failed" /> : null}
    </section>
  );
}

function RegisterDialog({ dataset, onClose, onCommitted }: { dataset: Dataset; onClose: () => void; onCommitted: (r: CommitResult) => void }): ReactElement {
  const [uri, setUri] = useState('');
  const [checksum, setChecksum] = useState('');
  const [message, setMessage] = useState('');
  const register = useRegisterDatasetUri();
  const trimmed = uri.trim();
  const uriProblem = !trimmed
    ? null
    : !URI_SCHEMES.some((s) => trimmed.toLowerCase().startsWith(s))
      ? `uri: use one of ${URI_SCHEMES.join(', ')} (the studio fetches nothing else).`
      : null;
  const checksumProblem = checksum.trim() && !CHECKSUM_RE.test(checksum.trim()) ? 'checksum: write it as sha256:<64 hex digits>.' : null;
  const submit = (): void => {
    if (!trimmed || uriProblem || checksumProblem) return;
    register.mutate(
      { dataset: dataset.id, body: { uri: trimmed, checksum: checksum.trim(), message: message.trim() } },
      { onSuccess: (r) => onCommitted(r) },
    );
  };
  return (
    <Dialog
      title="Register data stored elsewhere"
      onClose={onClose}
      testId="register-dialog"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!trimmed || !!uriProblem || !!checksumProblem || register.isPending}
            onClick={submit}
            data-testid="register-submit"
          >
            {register.isPending ? 'Registering…' : 'Register version'}
          </button>
        </>
      }
    >
      <p className="muted small">
        The data stays where it is; steps that read this version get its URI and fetch it themselves. Without a checksum every
        registration is a new version (the studio cannot compare content it does not hold).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span className="field-name">URI</span>
          <input
            type="text"
            className="mono"
            value={uri}
            onChange={(e) => setUri(e.target.value)}
            placeholder="s3://bucket/path/data.csv"
            aria-invalid={!!uriProblem || undefined}
            data-testid="register-uri"
          />
          {uriProblem ? <span className="field-error">{uriProblem}</span> : <span className="field-help">s3://, hdfs:// or file:///</span>}
        </label>
        <label className="field">
          <span className="field-name">Checksum (optional)</span>
          <input
            type="text"
            className="mono"
            value={checksum}
            onChange={(e) => setChecksum(e.target.value)}
            placeholder="sha256:…"
            aria-invalid={!!checksumProblem || undefined}
            data-testid="register-checksum"
          />
          {checksumProblem ? <span className="field-error">{checksumProblem}</span> : null}
        </label>
        <label className="field">
          <span className="field-name">Message (optional)</span>
          <input type="text" value={message} onChange={(e) => setMessage(e.target.value)} maxLength={500} data-testid="register-message" />
        </label>
      </form>
      <ErrorMessage error={register.error} title="Not registered" />
    </Dialog>
  );
}

function FiringLine({ f }: { f: DatasetTriggerFiring }): ReactElement {
  return (
    <li className="firing-line" data-testid={`trigger-firing-${f.trigger}-v${f.version}`}>
      <span className="firing-version">v{f.version}</span>
      <span className={`firing-status firing-${f.status}`}>{f.status}</span>
      {f.run ? (
        <>
          <Link to={`/runs/${f.run}`} data-testid={`trigger-run-${f.run}`}>
            run #{f.run}
          </Link>
          {f.run_status ? <StatusBadge status={f.run_status} /> : null}
        </>
      ) : f.status === 'pending' && f.fire_after ? (
        <span className="muted small">waits until {formatTime(f.fire_after)}</span>
      ) : null}
      {f.detail ? <span className="muted small firing-detail">{f.detail}</span> : null}
    </li>
  );
}

function TriggerItem({ trigger, watchUntil }: { trigger: DatasetTrigger; watchUntil: number }): ReactElement {
  const firings = useDatasetTriggerFirings(trigger.id, (data) => {
    const busy = data?.some((f) => f.status === 'pending' || (f.run !== null && !isTerminalRun(f.run_status ?? 'completed')));
    return Date.now() < watchUntil ? 1500 : busy ? 3000 : false;
  });
  return (
    <li className="trigger-item" data-testid={`dataset-trigger-${trigger.id}`}>
      <div className="trigger-item-head">
        <Link to={`/pipelines/${trigger.pipeline}`} className="strong">
          {trigger.pipeline_name}
        </Link>
        <span className="muted small">
          {' '}
          → <code>
            {trigger.node}.{trigger.input}
          </code>
          {trigger.debounce_seconds ? ` · debounce ${trigger.debounce_seconds} s` : ''}
        </span>
        {trigger.enabled ? null : <span className="badge warn">disabled</span>}
      </div>
      {firings.data?.length ? (
        <ul className="firing-list">
          {firings.data.slice(0, 5).map((f) => (
            <FiringLine key={f.id} f={f} />
          ))}
        </ul>
      ) : (
        <p className="muted small">No version has started it yet.</p>
      )}
    </li>
  );
}

function TriggersCard({ dataset, watchUntil }: { dataset: Dataset; watchUntil: number }): ReactElement {
  const triggers = useDatasetTriggers({ dataset: dataset.id });
  return (
    <section className="card triggers-card" data-testid="dataset-triggers">
      <h3>Runs it starts</h3>
      <ErrorMessage error={triggers.error} />
      {triggers.data?.length ? (
        <ul className="trigger-list">
          {triggers.data.map((t) => (
            <TriggerItem key={t.id} trigger={t} watchUntil={watchUntil} />
          ))}
        </ul>
      ) : triggers.data ? (
        <p className="muted small">
          No pipeline runs when this {dataset.kind} gets a new version. Add a dataset trigger in a pipeline’s <strong>Triggers</strong> tab.
        </p>
      ) : (
        <p className="muted small">Loading…</p>
      )}
    </section>
  );
}

function VersionDetail({ dataset, version }: { dataset: Dataset; version: DatasetVersion }): ReactElement {
  const meta = version.metadata ?? {};
  const tablePreview =
    version.preview ??
    (meta.preview ? { kind: 'table' as const, columns: meta.preview.columns, rows: meta.preview.rows, total_rows: meta.rows ?? null } : null);
  return (
    <section className="card version-detail" data-testid="version-detail">
      <div className="version-detail-head">
        <h3>
          Version {version.number}
          {dataset.latest_version?.number === version.number ? <span className="tag">latest</span> : null}
        </h3>
        {version.external ? (
          <span className="muted small">external: download it from its store</span>
        ) : (
          <a className="btn btn-secondary small" href={datasetDownloadUrl(dataset.id, version.number)} download data-testid="version-download">
            Download
          </a>
        )}
      </div>
      <div className="kv-grid three">
        <div className="kv">
          <span>URI</span>
          <code className="wrap">{version.uri}</code>
        </div>
        <div className="kv">
          <span>SHA-256</span>
          <code className="wrap">{version.sha256 || '— (no checksum)'}</code>
        </div>
        <div className="kv">
          <span>Size</span>
          <span>{version.size === null ? 'unknown (external)' : `${formatBytes(version.size)} (${version.size.toLocaleString()} bytes)`}</span>
        </div>
        <div className="kv">
          <span>Media type</span>
          <span>
            {version.media_type || '—'}
            {version.filename ? <span className="muted"> · {version.filename}</span> : null}
          </span>
        </div>
        <div className="kv">
          <span>Shape</span>
          <span>{meta.rows !== undefined ? `${formatNumber(meta.rows)} rows × ${meta.columns?.length ?? '?'} columns` : '—'}</span>
        </div>
        <div className="kv">
          <span>Created</span>
          <span>
            {formatTime(version.created_at)}
            {version.created_by ? ` by ${version.created_by}` : ''}
          </span>
        </div>
        <div className="kv">
          <span>Produced by</span>
          <span>
            {version.produced_by ? (
              <>
                <Link to={`/runs/${version.produced_by.run}?step=${encodeURIComponent(version.produced_by.node)}`}>run #{version.produced_by.run}</Link>{' '}
                <span className="muted">
                  step <code>{version.produced_by.node}</code> of {version.produced_by.pipeline_name}
                </span>
              </>
            ) : version.external ? (
              'registered by URI'
            ) : (
              'upload'
            )}
          </span>
        </div>
        <div className="kv">
          <span>Message</span>
          <span>{version.message || '—'}</span>
        </div>
        {meta.columns?.length ? (
          <div className="kv">
            <span>Columns</span>
            <span className="small">{meta.columns.join(', ')}</span>
          </div>
        ) : null}
      </div>
      <div className="version-preview">
        {tablePreview ? (
          <Preview preview={tablePreview} />
        ) : version.external ? (
          <p className="muted small">Stored outside the studio: steps get the URI and fetch the data themselves.</p>
        ) : (
          <p className="muted small">No preview for {version.media_type || 'this type'}.</p>
        )}
      </div>
    </section>
  );
}

export function DatasetPage(): ReactElement {
  const id = Number(useParams().id);
  // A fresh page per dataset: an upload's progress and answer belong to the dataset it went to.
  return <DatasetView key={id} id={id} />;
}

function DatasetView({ id }: { id: number }): ReactElement {
  const dataset = useDataset(id);
  const versions = useDatasetVersions(id);
  const [search, setSearch] = useSearchParams();
  const [registering, setRegistering] = useState(false);
  const [watchUntil, setWatchUntil] = useState(0);
  const watching = watchUntil > Date.now();
  const lineage = useLineage(id, watching ? 3000 : false);

  useEffect(() => {
    if (dataset.data) document.title = `${dataset.data.name} · Datasets · Pipeline Studio`;
  }, [dataset.data]);
  // Stop the fast polling once the watch window is over.
  useEffect(() => {
    if (!watching) return;
    const t = setTimeout(() => setWatchUntil(0), watchUntil - Date.now());
    return () => clearTimeout(t);
  }, [watching, watchUntil]);

  if (dataset.error) {
    return (
      <div className="page">
        <Link to="/datasets" className="back">
          ← Datasets
        </Link>
        <ErrorMessage error={dataset.error} title={`Cannot load dataset #${id}`} />
      </div>
    );
  }
  const d = dataset.data;
  if (!Number.isFinite(id)) {
    return (
      <div className="page">
        <ErrorMessage error={new Error('There is no dataset at this address.')} />
      </div>
    );
  }
  if (!d) return <div className="page muted">Loading dataset…</div>;

  const list = versions.data ?? [];
  const wanted = search.get('version') ? Number(search.get('version')) : null;
  const selected = list.find((v) => v.number === wanted) ?? list[0];
  const select = (n: number): void => {
    const next = new URLSearchParams(search);
    next.set('version', String(n));
    setSearch(next, { replace: true });
  };
  const onCommitted = (r: CommitResult): void => {
    if (r.created) {
      setWatchUntil(Date.now() + WATCH_MS);
      select(r.version.number);
    }
  };

  return (
    <div className="page dataset-page">
      <Link to="/datasets" className="back">
        ← Datasets
      </Link>
      <header className="page-head">
        <div>
          <h1 className="with-badge">
            {d.name} <KindBadge kind={d.kind} />
          </h1>
          {d.description ? <p className="lead">{d.description}</p> : null}
          <p className="muted small">
            {d.version_count} version{d.version_count === 1 ? '' : 's'}
            {d.created_by ? ` · created by ${d.created_by}` : ''} · {formatRelative(d.created_at)}
          </p>
        </div>
        <button type="button" className="btn btn-secondary" onClick={() => setRegistering(true)} data-testid="register-open">
          Register URI…
        </button>
      </header>

      <div className="dataset-top">
        <UploadCard dataset={d} onCommitted={onCommitted} />
        <TriggersCard dataset={d} watchUntil={watchUntil} />
      </div>

      <h2 className="h2">Versions</h2>
      <ErrorMessage error={versions.error} />
      {versions.data && !list.length ? (
        <div className="empty">
          <p>No versions yet.</p>
          <p className="muted small">Upload a file above, register a URI, or publish a step output to “{d.name}”.</p>
        </div>
      ) : null}
      {list.length ? (
        <table className="table versions-table" data-testid="version-list">
          <thead>
            <tr>
              <th>Version</th>
              <th>Size</th>
              <th>SHA-256</th>
              <th>Media type</th>
              <th>Created by</th>
              <th>Produced by</th>
              <th>Message</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr
                key={v.id}
                className={`clickable${selected?.id === v.id ? ' selected' : ''}`}
                onClick={() => select(v.number)}
                data-testid={`version-row-${v.number}`}
                aria-selected={selected?.id === v.id}
              >
                <td className="strong">
                  v{v.number}
                  {d.latest_version?.number === v.number ? <span className="tag">latest</span> : null}
                </td>
                <td>{v.size === null ? <span className="muted">—</span> : formatBytes(v.size)}</td>
                <td>
                  <code title={v.sha256 || undefined}>{v.sha256 ? shortSha(v.sha256) : v.external ? 'external' : '—'}</code>
                </td>
                <td className="small">{v.media_type || '—'}</td>
                <td className="small">{v.created_by ?? '—'}</td>
                <td className="small">
                  {v.produced_by ? (
                    <Link to={`/runs/${v.produced_by.run}`} onClick={(e) => e.stopPropagation()}>
                      run #{v.produced_by.run}
                    </Link>
                  ) : v.external ? (
                    'URI'
                  ) : (
                    'upload'
                  )}
                </td>
                <td className="small clamp-cell" title={v.message || undefined}>
                  {v.message || <span className="muted">—</span>}
                </td>
                <td className="small" title={v.created_at}>
                  {formatRelative(v.created_at)}
                </td>
                <td className="actions">
                  {v.external ? (
                    <span className="muted small" title={v.uri}>
                      external
                    </span>
                  ) : (
                    <a
                      className="btn btn-ghost small"
                      href={datasetDownloadUrl(d.id, v.number)}
                      download
                      onClick={(e) => e.stopPropagation()}
                      data-testid={`version-download-${v.number}`}
                    >
                      Download
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      {selected ? <VersionDetail dataset={d} version={selected} /> : null}

      <h2 className="h2">Lineage</h2>
      <p className="muted small">Versions on the left feed the runs that read them; runs point at the versions they published. Click a node to open it.</p>
      <ErrorMessage error={lineage.error} />
      {lineage.data ? (
        lineage.data.edges.length ? (
          <LineageGraph lineage={lineage.data} />
        ) : (
          <div className="empty small" data-testid="lineage-empty">
            No run has read or produced a version of {d.name} yet.
          </div>
        )
      ) : lineage.isPending ? (
        <p className="muted small">Loading lineage…</p>
      ) : null}

      {registering ? (
        <RegisterDialog
          dataset={d}
          onClose={() => setRegistering(false)}
          onCommitted={(r) => {
            setRegistering(false);
            toast.success(r.created ? `Registered as version ${r.version.number}.` : `Identical to version ${r.version.number}: no new version.`);
            onCommitted(r);
          }}
        />
      ) : null}
    </div>
  );
}
