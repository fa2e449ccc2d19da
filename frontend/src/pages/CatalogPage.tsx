import { useEffect, useState, type ReactElement } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useComponents } from '../api/hooks';
import type { ComponentSummary } from '../api/types';
import { ErrorMessage } from '../components/ErrorMessage';
import { useDebounced } from '../components/useDebounced';
import { CATEGORIES, categoryColor, categoryLabel } from '../editor/categories';
import { describeType } from '../pipeline-core';
import { ImportDialog } from './ImportDialog';

function Signature({ c }: { c: ComponentSummary }): ReactElement {
  const v = c.latest_version;
  return (
    <div className="signature">
      <div>
        <span className="sig-label">in</span>
        {v?.inputs.length ? (
          v.inputs.map((p) => (
            <span key={p.name} className="sig-port" title={p.description ?? undefined}>
              {p.name}
              <em>{describeType(p.type)}</em>
            </span>
          ))
        ) : (
          <span className="muted small">none</span>
        )}
      </div>
      <div>
        <span className="sig-label">out</span>
        {v?.outputs.length ? (
          v.outputs.map((p) => (
            <span key={p.name} className="sig-port" title={p.description ?? undefined}>
              {p.name}
              <em>{describeType(p.type)}</em>
            </span>
          ))
        ) : (
          <span className="muted small">none</span>
        )}
      </div>
    </div>
  );
}

export function CatalogPage(): ReactElement {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('search') ?? '');
  const category = params.get('category') ?? '';
  const debounced = useDebounced(search.trim(), 250);
  const [importing, setImporting] = useState(false);
  const components = useComponents(debounced, category);

  useEffect(() => {
    document.title = 'Catalog · Pipeline Studio';
  }, []);

  useEffect(() => {
    const next = new URLSearchParams(params);
    if (debounced) next.set('search', debounced);
    else next.delete('search');
    if (next.toString() !== params.toString()) setParams(next, { replace: true });
  }, [debounced, params, setParams]);

  const setCategory = (cat: string): void => {
    const next = new URLSearchParams(params);
    if (cat) next.set('category', cat);
    else next.delete('category');
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Component catalog</h1>
          <p className="muted">Reusable, containerized steps to build pipelines from.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setImporting(true)} data-testid="import-component">
          Import component
        </button>
      </header>
      <div className="filters">
        <input
          type="search"
          className="search"
          placeholder="Search by name or description…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search components"
          data-testid="catalog-search"
        />
        <div className="chips" role="group" aria-label="Category">
          <button type="button" className={`chip${category === '' ? ' active' : ''}`} onClick={() => setCategory('')}>
            All
          </button>
          {CATEGORIES.map((c) => (
            <button
              key={c.id}
              type="button"
              className={`chip${category === c.id ? ' active' : ''}`}
              onClick={() => setCategory(c.id)}
              style={{ '--chip-color': c.color } as React.CSSProperties}
              data-testid={`category-${c.id}`}
            >
              {c.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorMessage error={components.error} />
      {components.isPending ? <p className="muted">Loading components…</p> : null}
      {components.data && components.data.length === 0 ? (
        <div className="empty">
          <p>No component matches{debounced ? ` “${debounced}”` : ''}{category ? ` in ${categoryLabel(category)}` : ''}.</p>
        </div>
      ) : null}
      <div className={`card-grid${components.isFetching ? ' fetching' : ''}`}>
        {components.data?.map((c) => (
          <Link
            key={c.id}
            to={`/catalog/${c.id}`}
            className="card component-card"
            style={{ '--cat-color': categoryColor(c.category) } as React.CSSProperties}
            data-testid={`component-card-${c.name}`}
          >
            <div className="card-top">
              <span className="cat-tag">{categoryLabel(c.category)}</span>
              <span className="muted small">v{c.latest_version?.version ?? '?'}</span>
            </div>
            <h3>{c.name}</h3>
            <p className="card-desc">{c.description || <span className="muted">No description.</span>}</p>
            <Signature c={c} />
          </Link>
        ))}
      </div>
      {importing ? <ImportDialog onClose={() => setImporting(false)} /> : null}
    </div>
  );
}
