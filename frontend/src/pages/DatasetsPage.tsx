import { useEffect, useState, type ReactElement } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useCreateDataset, useDatasets } from '../api/hooks';
import { Dialog } from '../components/Dialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatBytes, formatRelative } from '../components/format';
import { toast } from '../components/toast';
import { useDebounced } from '../components/useDebounced';
import type { DatasetKind } from '../pipeline-core';

const KINDS: Array<{ value: '' | DatasetKind; label: string }> = [
  { value: '', label: 'All' },
  { value: 'dataset', label: 'Datasets' },
  { value: 'model', label: 'Models' },
];

export function KindBadge({ kind }: { kind: string }): ReactElement {
  return <span className={`kind-badge kind-${kind}`}>{kind}</span>;
}

function NewDatasetDialog({ onClose }: { onClose: () => void }): ReactElement {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<DatasetKind>('dataset');
  const [description, setDescription] = useState('');
  const create = useCreateDataset();
  const navigate = useNavigate();
  const trimmed = name.trim();
  const nameProblem = !trimmed ? null : trimmed.includes('/') ? 'A name cannot contain “/”.' : null;
  const submit = (): void => {
    if (!trimmed || nameProblem) return;
    create.mutate(
      { name: trimmed, kind, description },
      {
        onSuccess: (d) => {
          toast.success(`Created ${d.kind} “${d.name}”.`);
          navigate(`/datasets/${d.id}`);
        },
      },
    );
  };
  return (
    <Dialog
      title="New dataset"
      onClose={onClose}
      testId="new-dataset-dialog"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={!trimmed || !!nameProblem || create.isPending} onClick={submit} data-testid="dataset-create">
            {create.isPending ? 'Creating…' : 'Create'}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span className="field-name">Name</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="iris" maxLength={200} data-testid="dataset-name" />
          <span className="field-help">Unique, ignoring case. Pipelines publish to a dataset by this name.</span>
          {nameProblem ? <span className="field-error">{nameProblem}</span> : null}
        </label>
        <fieldset className="field radio-row">
          <legend className="field-name">Kind</legend>
          <label className="checkbox">
            <input type="radio" name="kind" checked={kind === 'dataset'} onChange={() => setKind('dataset')} data-testid="dataset-kind-dataset" />
            <span>Dataset: tables and files that steps read</span>
          </label>
          <label className="checkbox">
            <input type="radio" name="kind" checked={kind === 'model'} onChange={() => setKind('model')} data-testid="dataset-kind-model" />
            <span>Model: trained models, versioned like data</span>
          </label>
        </fieldset>
        <label className="field">
          <span className="field-name">Description (optional)</span>
          <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="dataset-description" />
        </label>
      </form>
      <ErrorMessage error={create.error} title="Not created" />
    </Dialog>
  );
}

export function DatasetsPage(): ReactElement {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('search') ?? '');
  const kind = params.get('kind') ?? '';
  const debounced = useDebounced(search.trim(), 250);
  const datasets = useDatasets(debounced, kind);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    document.title = 'Datasets · Pipeline Studio';
  }, []);

  const setKind = (value: string): void => {
    const next = new URLSearchParams(params);
    if (value) next.set('kind', value);
    else next.delete('kind');
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Datasets</h1>
          <p className="muted">Versioned data and models: uploaded, registered by URI, or published by pipeline steps.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-dataset">
          + New dataset
        </button>
      </header>
      <div className="filters">
        <input
          type="search"
          className="search"
          placeholder="Search datasets"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search datasets"
          data-testid="dataset-search"
        />
        <div className="chips" role="group" aria-label="Kind">
          {KINDS.map((k) => (
            <button key={k.value} type="button" className={`chip${kind === k.value ? ' active' : ''}`} onClick={() => setKind(k.value)}>
              {k.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorMessage error={datasets.error} />
      {datasets.isPending ? <p className="muted">Loading datasets…</p> : null}
      {datasets.data?.length === 0 ? (
        <div className="empty">
          <p>{debounced || kind ? 'No dataset matches.' : 'No datasets yet.'}</p>
          <p className="muted small">Create one and upload a file, or let a pipeline publish an output to one.</p>
        </div>
      ) : null}
      {datasets.data?.length ? (
        <table className="table" data-testid="dataset-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Latest version</th>
              <th>Size</th>
              <th>Shape</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {datasets.data.map((d) => {
              const v = d.latest_version;
              return (
                <tr key={d.id} data-testid={`dataset-row-${d.name}`}>
                  <td>
                    <Link to={`/datasets/${d.id}`} className="strong">
                      {d.name}
                    </Link>
                    {d.description ? <div className="muted small clamp-1">{d.description}</div> : null}
                  </td>
                  <td>
                    <KindBadge kind={d.kind} />
                  </td>
                  <td>
                    {v ? (
                      <>
                        v{v.number} <span className="muted small">of {d.version_count}</span>
                        {v.produced_by ? (
                          <div className="muted small">
                            by <Link to={`/runs/${v.produced_by.run}`}>run #{v.produced_by.run}</Link>
                          </div>
                        ) : v.external ? (
                          <div className="muted small">external</div>
                        ) : null}
                      </>
                    ) : (
                      <span className="muted">no versions</span>
                    )}
                  </td>
                  <td>{v ? (v.external && v.size === null ? <span className="muted">external</span> : formatBytes(v.size)) : '—'}</td>
                  <td>
                    {v?.metadata?.rows !== undefined ? `${v.metadata.rows.toLocaleString()} rows × ${v.metadata.columns?.length ?? '?'} columns` : '—'}
                  </td>
                  <td title={d.updated_at}>{formatRelative(d.updated_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {creating ? <NewDatasetDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
