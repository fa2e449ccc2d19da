import { useEffect, useState, type ReactElement } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useComponent } from '../api/hooks';
import type { ComponentVersion, Port } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { categoryColor, categoryLabel } from '../editor/categories';
import { describeType } from '../pipeline-core';

function PortTable({ ports, kind }: { ports: Port[]; kind: 'inputs' | 'outputs' }): ReactElement {
  if (!ports.length) return <p className="muted small">No {kind}.</p>;
  return (
    <table className="table" data-testid={`component-${kind}`}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          {kind === 'inputs' ? <th>Default</th> : null}
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {ports.map((p) => (
          <tr key={p.name}>
            <td>
              <code>{p.name}</code>
              {kind === 'inputs' && p.optional ? <span className="muted small"> optional</span> : null}
            </td>
            <td>
              <span className="type-badge">{describeType(p.type)}</span>
            </td>
            {kind === 'inputs' ? <td>{p.default != null ? <code>{p.default}</code> : <span className="muted">—</span>}</td> : null}
            <td>{p.description || <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VersionDetail({ v }: { v: ComponentVersion }): ReactElement {
  const src = v.source;
  return (
    <>
      <section className="detail-grid">
        <div className="kv">
          <span>Image</span>
          <code data-testid="component-image">{v.image || '—'}</code>
        </div>
        <div className="kv">
          <span>Resources</span>
          <span>
            CPU {v.resources?.cpu ?? '—'} · memory {v.resources?.memory ?? '—'} · GPU {v.resources?.gpu ?? 0}
          </span>
        </div>
        <div className="kv">
          <span>Source</span>
          <span>{src ? [src.repo, src.ref, src.path].filter(Boolean).join(' · ') || JSON.stringify(src) : '—'}</span>
        </div>
        <div className="kv">
          <span>Digest</span>
          <code className="small" title={v.digest}>
            {v.digest?.slice(0, 16)}…
          </code>
        </div>
        <div className="kv">
          <span>Runnable</span>
          <span>{v.runnable ? 'yes' : 'no — the image is not available to workers'}</span>
        </div>
        <div className="kv">
          <span>Registered</span>
          <span>{formatTime(v.created_at)}</span>
        </div>
      </section>
      <h2 className="h2">Inputs</h2>
      <PortTable ports={v.inputs} kind="inputs" />
      <h2 className="h2">Outputs</h2>
      <PortTable ports={v.outputs} kind="outputs" />
      <details className="spec">
        <summary>Full spec</summary>
        <pre className="code">{JSON.stringify(v.spec, null, 2)}</pre>
      </details>
    </>
  );
}

export function ComponentPage(): ReactElement {
  const id = Number(useParams().id);
  const component = useComponent(id);
  const [versionId, setVersionId] = useState<number | null>(null);

  useEffect(() => {
    if (component.data) document.title = `${component.data.name} · Catalog`;
  }, [component.data]);

  if (component.error) {
    return (
      <div className="page">
        <Link to="/catalog" className="back">
          ← Catalog
        </Link>
        <ErrorMessage error={component.error} />
      </div>
    );
  }
  if (!component.data) return <div className="page muted">Loading…</div>;
  const c = component.data;
  const versions = c.versions?.length ? c.versions : c.latest_version ? [c.latest_version] : [];
  const shown = versions.find((v) => v.id === versionId) ?? versions[0];
  if (!shown) {
    return (
      <div className="page">
        <Link to="/catalog" className="back">
          ← Catalog
        </Link>
        <h1>{c.name}</h1>
        <p className="muted">This component has no versions.</p>
      </div>
    );
  }

  return (
    <div className="page">
      <Link to="/catalog" className="back">
        ← Catalog
      </Link>
      <header className="page-head">
        <div>
          <span className="cat-tag" style={{ '--cat-color': categoryColor(c.category) } as React.CSSProperties}>
            {categoryLabel(c.category)}
          </span>
          <h1>{c.name}</h1>
          <p className="lead">{shown.description || c.description}</p>
        </div>
      </header>
      <div className="two-col">
        <div>
          <VersionDetail v={shown} />
        </div>
        <aside className="card versions">
          <h3>Version history</h3>
          <ol className="version-list" data-testid="component-versions">
            {versions.map((v) => (
              <li key={v.id}>
                <button type="button" className={`version-item${v.id === shown.id ? ' active' : ''}`} onClick={() => setVersionId(v.id)}>
                  <strong>v{v.version}</strong>
                  <span className="muted small">{formatTime(v.created_at)}</span>
                  <code className="small">{v.digest?.slice(0, 10)}</code>
                </button>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}
